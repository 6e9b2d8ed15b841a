/**
 * optspec's own snapshot of an optimizer: lossless, versioned, as JSON text or as an `.npz`.
 *
 * Chainer's npz snapshot (chainer-protocol.ts) keeps only counters and rule states. This one keeps
 * the whole `OptimizerState`: the optimizer's name and hyperparameters, every rule's own overrides,
 * `t`, `enabled`, state (insertion order kept), hooks and fp32 master copy (and whether it was
 * created uninitialized), rule extras (MSVAG `beta_power`, AdaBound `initial_alpha`), the hooks of
 * the optimizer with their arguments and state (GradientNoise's generator), the loss-scale settings
 * and flags, `epoch`, `use_auto_new_epoch`, `use_fp32_update`, `use_cleargrads`, and the target:
 * its link structure and every parameter's dtype, shape, data, gradient, gradient validity and
 * carried loss scale. Loading it and continuing gives bit for bit the run that never stopped.
 *
 * ## The JSON document (format version 1)
 *
 * ```
 * { "format": "optspec.optimizer-state", "version": 1,
 *   "optimizer": "Adam",
 *   "hyperparam": [[name, value], ...],            value: number | true | false | null
 *   "t": 6, "epoch": 2, "useAutoNewEpoch": false, "useFp32Update": false, "useCleargrads": true,
 *   "lossScale": {"scale", "dynamic", "interval", "multiplier", "isnanEver", "isnan"},
 *   "hooks": null | {"pre": [hook, ...], "post": [hook, ...]},
 *   "target": null | {"structure": structure, "params": [[path, param], ...]},
 *   "rules": [[path, rule], ...] }
 * structure: {"kind": "link"|"chain"|"chainlist", "params": [{"name", "dtype", "shape": null|[ints]}],
 *             "children": [{"name", "link": structure}]}
 * param: {"dtype", "shape": null|[ints], "data": null|array, "grad": null|array, "gradValid": bool,
 *         "lossScale": null|number}
 * rule:  {"t", "enabled", "state": null|[[name, array], ...], "hyperparam": [[name, value], ...],
 *         "hooks": {"pre": [...], "post": [...]}, "useFp32Update", "fp32Param": null|array,
 *         "fp32ParamUninitialized"?: bool, "extras": [[name, number], ...]}
 * hook:  {"name", "hook": {"kind", "args": json, "timing"?: string, "name"?: string|null}, "state": json}
 * ```
 *
 * - A **number** is a JSON integer when it is a safe integer other than −0, otherwise
 *   `{"f": "<16 hex digits>"}`, the IEEE bits of the float64 (exact for every double: −0, NaN,
 *   ±Infinity, subnormals).
 * - An **array** is `{"dtype": "float32", "shape": [2, 3], "bits": "3f800000 bf000000 …"}`: the
 *   IEEE bits of each element in C order, 4/8/16 hex digits for float16/32/64 (the golden files'
 *   notation).
 * - **json** (hook arguments and hook state, any JSON-like data) is tagged so that numbers stay
 *   exact: a string, boolean or null as itself, a number as above, an array as `{"a": [...]}`, an
 *   object as `{"o": [[key, value], ...]}`.
 * - Records are lists of `[key, value]` pairs, so that their order (a rule's state order is
 *   Chainer's serialization order) survives any JSON tool.
 *
 * ## The npz container
 *
 * `saveLossless` writes an `.npz` that `numpy.load(f)` reads with `allow_pickle=False`: the member
 * `__optspec__.npy` is a 1-d uint8 array holding the UTF-8 JSON document above, in which every
 * array is `{"npy": "<key>"}` instead of inline bits; each array is its own member `<key>.npy` in
 * its own dtype and shape (`target/params/enc/W/data`, `target/params/enc/W/grad`,
 * `rules/enc/W/state/m`, `rules/enc/W/fp32_param`). In Python:
 * `json.loads(np.load(f)["__optspec__"].tobytes())`.
 *
 * @clause serialization.lossless.complete `fromJSON(toJSON(s))` and `loadLossless(saveLossless(s))`
 * equal `s` as plain data, bit for bit (every float, −0 and NaN included; record orders kept), so
 * continuing from the loaded state is exactly the run that never stopped.
 * @clause serialization.lossless.version The document carries `format` and an integer `version`;
 * a version above the newest this code knows (or not an integer ≥ 1) is refused with
 * `SnapshotVersionError` before anything else is read.
 * @clause serialization.lossless.validate Loading checks everything and refuses, naming the place
 * in the document (or the npz member) and what was expected: malformed JSON; missing or unexpected
 * keys; wrong types; counters (`t`, `epoch`, rule `t`) that are not safe integers; floats that are
 * not `{"f": bits}` or integers; arrays whose bits do not match their dtype or shape; states that
 * are not float arrays of the parameter's shape; an fp32 master that is not float32 of the
 * parameter's shape; parameters that disagree with the link structure (dtype, paths, shapes); rules
 * for parameters that do not exist; an unknown optimizer; duplicate hook names; hook arguments the
 * hook kind rejects; npz members that are missing, referenced twice, not float, or not referenced.
 * @clause serialization.lossless.hooks A hook whose kind is not registered when loading is refused
 * with `UnknownHookKindError` naming the kind (register it first, then load).
 */
import type { LossScaleState, OptimizerState, UpdateRuleState } from "../state.js";
import type { NDArray } from "../ndarray.js";
import type { HookEntry, HookSpec, HookTable, Json } from "../hooks/types.js";
import { type HyperValue, type Hyperparams, checkHyperValue } from "../hyperparam.js";
import type { OptimizerDef } from "../optimizers/types.js";
import { type Link, type LinkStructure, type Param, type ParamDecl, paramDecls, paramPaths, validateStructure } from "../link.js";
import { type Dtype, isDtype } from "../numerics/dtype.js";
import { BITS_HEX_WIDTH, fromBitsHex, toBitsHex } from "../numerics/bits.js";
import { getOptimizerDef } from "../optimizers/registry.js";
import { getHookKind } from "../hooks/registry.js";
import { type LegacyRandomState, randomDoubles } from "../numerics/mt19937.js";
import { type NpzEntry, readNpz, writeNpz } from "./npz.js";
import { NpyFormatError, NpzFormatError } from "./errors.js";
import {
  ArchiveFormatError,
  SnapshotFormatError,
  SnapshotVersionError,
  UnknownHookKindError,
  UnknownOptimizerError,
} from "./load-errors.js";

export const LOSSLESS_FORMAT = "optspec.optimizer-state";
export const LOSSLESS_VERSION = 1;
/** The npz member (without `.npy`) holding the JSON document. */
export const LOSSLESS_META_KEY = "__optspec__";

const MAX_JSON_DEPTH = 64;

// ------------------------------------------------------------------------------------ bits

const f64Hex = (x: number): string => toBitsHex("float64", x);
const hexF64 = (h: string): number => fromBitsHex("float64", h);

// ------------------------------------------------------------------------------------ encode

type Doc = null | boolean | number | string | Doc[] | { [k: string]: Doc };
type ArraySink = (a: NDArray, name: string) => Doc;

function encNum(x: number): Doc {
  return Number.isSafeInteger(x) && !Object.is(x, -0) ? x : { f: f64Hex(x) };
}

function encJson(v: Json, at: string): Doc {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return encNum(v);
  if (Array.isArray(v)) return { a: v.map((x, i) => encJson(x, `${at}[${i}]`)) };
  if (typeof v === "object") return { o: Object.entries(v).map(([k, x]) => [k, encJson(x as Json, `${at}.${k}`)]) };
  throw new SnapshotFormatError(at, "JSON-like data (null, boolean, number, string, array, plain object)", typeof v);
}

function encHyper(hp: Hyperparams): Doc {
  return Object.entries(hp).map(([k, v]) => [k, typeof v === "number" ? encNum(v) : v]);
}

/** Refuse to write a state with fields this format version does not know (it would be lossy). */
function knownFields(o: object, fields: readonly string[], at: string): void {
  for (const k of Object.keys(o)) {
    if (!fields.includes(k)) throw new SnapshotFormatError(at, `only the fields ${fields.join(", ")} (format version ${LOSSLESS_VERSION})`, `a field ${JSON.stringify(k)} it would lose`);
  }
}

const STATE_FIELDS = ["optimizer", "hyperparam", "t", "epoch", "useAutoNewEpoch", "hooks", "target", "rules", "useFp32Update", "lossScale", "useCleargrads"];
const RULE_FIELDS = ["t", "enabled", "state", "hyperparam", "hooks", "useFp32Update", "fp32Param", "fp32ParamUninitialized", "extras"];
const PARAM_FIELDS = ["dtype", "shape", "data", "grad", "gradValid", "lossScale"];
const LOSS_SCALE_FIELDS = ["scale", "dynamic", "interval", "multiplier", "isnanEver", "isnan"];
const HOOK_FIELDS = ["name", "hook", "state"];
const HOOK_SPEC_FIELDS = ["kind", "args", "timing", "name"];

function encHooks(t: HookTable, at: string): Doc {
  const one = (h: HookEntry, i: number, timing: string): Doc => {
    const where = `${at}.${timing}[${i}]`;
    knownFields(h, HOOK_FIELDS, where);
    knownFields(h.hook, HOOK_SPEC_FIELDS, `${where}.hook`);
    const spec: { [k: string]: Doc } = { kind: h.hook.kind, args: encJson(h.hook.args, `${where}.hook.args`) };
    if (h.hook.timing !== undefined) spec["timing"] = h.hook.timing;
    if (h.hook.name !== undefined) spec["name"] = h.hook.name;
    return { name: h.name, hook: spec, state: encJson(h.state, `${where}.state`) };
  };
  return { pre: t.pre.map((h, i) => one(h, i, "pre")), post: t.post.map((h, i) => one(h, i, "post")) };
}

function encStructure(s: LinkStructure): Doc {
  return {
    kind: s.kind,
    params: s.params.map((p) => ({ name: p.name, dtype: p.dtype, shape: p.shape === null ? null : [...p.shape] })),
    children: s.children.map((c) => ({ name: c.name, link: encStructure(c.link) })),
  };
}

function nullableNum(x: number | null): Doc {
  return x === null ? null : encNum(x);
}

function encodeDocument(state: OptimizerState, sink: ArraySink): Doc {
  knownFields(state, STATE_FIELDS, "$");
  knownFields(state.lossScale, LOSS_SCALE_FIELDS, "$.lossScale");
  const ls: LossScaleState = state.lossScale;
  let target: Doc = null;
  if (state.target !== null) {
    const params: Doc[] = [];
    for (const [path, p] of Object.entries(state.target.params)) {
      knownFields(p, PARAM_FIELDS, `$.target.params[${path}]`);
      params.push([
        path,
        {
          dtype: p.dtype,
          shape: p.shape === null ? null : [...p.shape],
          data: p.data === null ? null : sink(p.data, `target/params${path}/data`),
          grad: p.grad === null ? null : sink(p.grad, `target/params${path}/grad`),
          gradValid: p.gradValid,
          lossScale: nullableNum(p.lossScale),
        },
      ]);
    }
    target = { structure: encStructure(state.target.structure), params };
  }
  const rules: Doc[] = [];
  for (const [path, r] of Object.entries(state.rules)) {
    const at = `$.rules[${path}]`;
    knownFields(r, RULE_FIELDS, at);
    const rule: { [k: string]: Doc } = {
      t: encNum(r.t),
      enabled: r.enabled,
      state: r.state === null ? null : Object.entries(r.state).map(([k, a]) => [k, sink(a, `rules${path}/state/${k}`)]),
      hyperparam: encHyper(r.hyperparam),
      hooks: encHooks(r.hooks, `${at}.hooks`),
      useFp32Update: r.useFp32Update,
      fp32Param: r.fp32Param === null ? null : sink(r.fp32Param, `rules${path}/fp32_param`),
    };
    if (r.fp32ParamUninitialized !== undefined) rule["fp32ParamUninitialized"] = r.fp32ParamUninitialized;
    rule["extras"] = Object.entries(r.extras).map(([k, v]) => [k, encNum(v)]);
    rules.push([path, rule]);
  }
  return {
    format: LOSSLESS_FORMAT,
    version: LOSSLESS_VERSION,
    optimizer: state.optimizer,
    hyperparam: encHyper(state.hyperparam),
    t: encNum(state.t),
    epoch: encNum(state.epoch),
    useAutoNewEpoch: state.useAutoNewEpoch,
    useFp32Update: state.useFp32Update,
    useCleargrads: state.useCleargrads,
    lossScale: {
      scale: nullableNum(ls.scale),
      dynamic: ls.dynamic,
      interval: nullableNum(ls.interval),
      multiplier: nullableNum(ls.multiplier),
      isnanEver: ls.isnanEver,
      isnan: ls.isnan,
    },
    hooks: state.hooks === null ? null : encHooks(state.hooks, "$.hooks"),
    target,
    rules,
  };
}

function inlineArray(a: NDArray): Doc {
  return { dtype: a.dtype, shape: [...a.shape], bits: Array.from(a.data, (x) => toBitsHex(a.dtype, x)).join(" ") };
}

/**
 * The lossless JSON text of a state.
 * @clause serialization.lossless.complete
 */
export function toJSON(state: OptimizerState): string {
  return JSON.stringify(encodeDocument(state, inlineArray));
}

/**
 * The lossless snapshot as an `.npz` (numpy-readable; see the file header). Default compressed.
 * @clause serialization.lossless.complete
 */
export function saveLossless(state: OptimizerState, options: { readonly compress?: boolean } = {}): Uint8Array {
  const entries: NpzEntry[] = [];
  const used = new Set<string>([LOSSLESS_META_KEY]);
  const sink: ArraySink = (a, name) => {
    let key = name;
    for (let i = 2; used.has(key); i++) key = `${name}#${i}`;
    used.add(key);
    entries.push({ key, array: { dtype: a.dtype, shape: [...a.shape], data: new Float64Array(a.data) } });
    return { npy: key };
  };
  const doc = encodeDocument(state, sink);
  const text = new TextEncoder().encode(JSON.stringify(doc));
  const meta: NpzEntry = { key: LOSSLESS_META_KEY, array: { dtype: "uint8", shape: [text.length], data: Float64Array.from(text) } };
  return writeNpz([meta, ...entries], { compress: options.compress ?? true });
}

// ------------------------------------------------------------------------------------ decode

type ArraySource = (v: unknown, at: string) => NDArray;

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return `an object with keys ${Object.keys(v).map((k) => JSON.stringify(k)).join(", ") || "(none)"}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function fail(at: string, expected: string, got: unknown): never {
  throw new SnapshotFormatError(at, expected, describe(got));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An object with exactly the `required` keys, plus any of the `optional` ones. */
function obj(v: unknown, at: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (!isPlainObject(v)) return fail(at, `an object with keys ${required.join(", ")}`, v);
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(v, k)) fail(`${at}.${k}`, `a value (key ${JSON.stringify(k)} is required)`, undefined);
  for (const k of Object.keys(v)) {
    if (!required.includes(k) && !optional.includes(k)) fail(`${at}.${k}`, `no such key (allowed: ${[...required, ...optional].join(", ")})`, v[k]);
  }
  return v;
}

function str(v: unknown, at: string): string {
  return typeof v === "string" ? v : fail(at, "a string", v);
}

function bool(v: unknown, at: string): boolean {
  return typeof v === "boolean" ? v : fail(at, "true or false", v);
}

function arr(v: unknown, at: string): unknown[] {
  return Array.isArray(v) ? v : fail(at, "an array", v);
}

function decNum(v: unknown, at: string): number {
  if (typeof v === "number") return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : fail(at, 'a safe integer or {"f": "<16 hex digits>"}', v);
  if (isPlainObject(v) && Object.keys(v).length === 1 && typeof v["f"] === "string" && /^[0-9a-f]{16}$/.test(v["f"])) return hexF64(v["f"]);
  return fail(at, 'a number: a safe integer or {"f": "<16 lowercase hex digits>"}', v);
}

function decCounter(v: unknown, at: string): number {
  return typeof v === "number" && Number.isSafeInteger(v) && !Object.is(v, -0) ? v : fail(at, "an integer counter (a safe integer)", v);
}

function nullableDecNum(v: unknown, at: string): number | null {
  return v === null ? null : decNum(v, at);
}

function shapeOf(v: unknown, at: string): number[] {
  const a = arr(v, at);
  return a.map((d, i) => (typeof d === "number" && Number.isSafeInteger(d) && d >= 0 ? d : fail(`${at}[${i}]`, "a non-negative integer dimension", d)));
}

function dtypeOf(v: unknown, at: string): Dtype {
  return isDtype(v) ? v : fail(at, "a float dtype: float16, float32 or float64", v);
}

/** Pairs `[key, value]` with distinct string keys. */
function pairs(v: unknown, at: string): [string, unknown][] {
  const seen = new Set<string>();
  return arr(v, at).map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string") return fail(`${at}[${i}]`, "a pair [key, value]", p);
    if (seen.has(p[0])) fail(`${at}[${i}]`, "distinct keys", `the key ${JSON.stringify(p[0])} a second time`);
    seen.add(p[0]);
    return [p[0], p[1]] as [string, unknown];
  });
}

function decJson(v: unknown, at: string, depth = 0): Json {
  if (depth > MAX_JSON_DEPTH) fail(at, `data nested at most ${MAX_JSON_DEPTH} deep`, "deeper nesting");
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (isPlainObject(v) && Object.keys(v).length === 1) {
    if ("f" in v) return decNum(v, at);
    if ("a" in v) return arr(v["a"], `${at}.a`).map((x, i) => decJson(x, `${at}.a[${i}]`, depth + 1));
    if ("o" in v) {
      const out: Record<string, Json> = {};
      for (const [k, x] of pairs(v["o"], `${at}.o`)) out[k] = decJson(x, `${at}.o.${k}`, depth + 1);
      return out;
    }
  }
  if (typeof v === "number") return decNum(v, at);
  return fail(at, 'tagged JSON data: null, a boolean, a string, a number, {"a": [...]} or {"o": [[key, value], ...]}', v);
}

function decJsonObject(v: unknown, at: string): Record<string, Json> {
  const j = decJson(v, at);
  if (!isPlainObject(j)) return fail(at, 'an object {"o": [[key, value], ...]}', v);
  return j as Record<string, Json>;
}

function decHyper(v: unknown, at: string): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const [k, x] of pairs(v, at)) out[k] = x === null || typeof x === "boolean" ? x : decNum(x, `${at}.${k}`);
  return out;
}

function decInlineArray(v: unknown, at: string): NDArray {
  const o = obj(v, at, ["dtype", "shape", "bits"]);
  const dtype = dtypeOf(o["dtype"], `${at}.dtype`);
  const shape = shapeOf(o["shape"], `${at}.shape`);
  const bits = str(o["bits"], `${at}.bits`);
  const words = bits === "" ? [] : bits.split(" ");
  // The element count, without overflowing: stop as soon as it exceeds the words present.
  let n = shape.includes(0) ? 0 : 1;
  for (const d of shape) {
    n *= d;
    if (n > words.length) break;
  }
  if (n !== words.length) fail(`${at}.bits`, `${shape.includes(0) ? 0 : "as many"} words as the shape [${shape.join(", ")}] has elements`, `${words.length} words`);
  const width = BITS_HEX_WIDTH[dtype];
  const re = new RegExp(`^[0-9a-f]{${width}}$`);
  const data = new Float64Array(words.length);
  words.forEach((w, i) => {
    if (!re.test(w)) fail(`${at}.bits[${i}]`, `${width} lowercase hex digits (a ${dtype})`, w);
    data[i] = fromBitsHex(dtype, w);
  });
  return { dtype, shape, data };
}

/**
 * The one hook state with a known layout: GradientNoise's default noise function keeps numpy's
 * `RandomState` state; a malformed one would only fail at the next update, so refuse it now.
 */
function checkNoiseState(kind: string, args: Readonly<Record<string, Json>>, state: Json, at: string): void {
  if (kind !== "GradientNoise") return;
  const noise = args["noise"];
  const name = isPlainObject(noise) ? noise["name"] : "exponential_decay_noise";
  if (name !== "exponential_decay_noise") return;
  try {
    randomDoubles(state as unknown as LegacyRandomState, 0);
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
    fail(at, "the generator state of exponential_decay_noise ({key: 624 uint32 words, pos, hasGauss, gauss, gaussBits})", err.message);
  }
}

function decHookTable(v: unknown, at: string): HookTable {
  const o = obj(v, at, ["pre", "post"]);
  const names = new Set<string>();
  const one = (h: unknown, where: string): HookEntry => {
    const e = obj(h, where, ["name", "hook", "state"]);
    const name = str(e["name"], `${where}.name`);
    if (names.has(name)) fail(`${where}.name`, "a hook name not used by another hook of the same table (pre or post)", name);
    names.add(name);
    const s = obj(e["hook"], `${where}.hook`, ["kind", "args"], ["timing", "name"]);
    const kindName = str(s["kind"], `${where}.hook.kind`);
    const kind = getHookKind(kindName);
    if (kind === undefined) throw new UnknownHookKindError(kindName, `${where}.hook.kind`);
    const args = decJsonObject(s["args"], `${where}.hook.args`);
    const bad = kind.validate(args);
    if (bad !== null) fail(`${where}.hook.args`, `arguments ${kindName} accepts`, bad);
    const spec: { -readonly [K in keyof HookSpec]: HookSpec[K] } = { kind: kindName, args };
    if ("timing" in s) spec.timing = str(s["timing"], `${where}.hook.timing`);
    if ("name" in s) spec.name = s["name"] === null ? null : str(s["name"], `${where}.hook.name`);
    const state = decJson(e["state"], `${where}.state`);
    checkNoiseState(kindName, args, state, `${where}.state`);
    return { name, hook: spec, state };
  };
  const pre = arr(o["pre"], `${at}.pre`).map((h, i) => one(h, `${at}.pre[${i}]`));
  const post = arr(o["post"], `${at}.post`).map((h, i) => one(h, `${at}.post[${i}]`));
  return { pre, post };
}

function decStructure(v: unknown, at: string, depth = 0): LinkStructure {
  if (depth > MAX_JSON_DEPTH) fail(at, `links nested at most ${MAX_JSON_DEPTH} deep`, "deeper nesting");
  const o = obj(v, at, ["kind", "params", "children"]);
  const kind = o["kind"];
  if (kind !== "link" && kind !== "chain" && kind !== "chainlist") fail(`${at}.kind`, '"link", "chain" or "chainlist"', kind);
  const params: ParamDecl[] = arr(o["params"], `${at}.params`).map((p, i) => {
    const w = `${at}.params[${i}]`;
    const q = obj(p, w, ["name", "dtype", "shape"]);
    return { name: str(q["name"], `${w}.name`), dtype: dtypeOf(q["dtype"], `${w}.dtype`), shape: q["shape"] === null ? null : shapeOf(q["shape"], `${w}.shape`) };
  });
  const children = arr(o["children"], `${at}.children`).map((c, i) => {
    const w = `${at}.children[${i}]`;
    const q = obj(c, w, ["name", "link"]);
    return { name: str(q["name"], `${w}.name`), link: decStructure(q["link"], `${w}.link`, depth + 1) };
  });
  return { kind: kind as LinkStructure["kind"], params, children };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeText(s: readonly number[] | null): string {
  return s === null ? "null" : `[${s.join(", ")}]`;
}

function decTarget(v: unknown, at: string, source: ArraySource): Link {
  const o = obj(v, at, ["structure", "params"]);
  const structure = decStructure(o["structure"], `${at}.structure`);
  const bad = validateStructure(structure);
  if (bad !== null) fail(`${at}.structure`, "a valid link structure", bad);
  const decls = paramDecls(structure);
  const expectedPaths = paramPaths(structure);
  const params: Record<string, Param> = {};
  for (const [path, pv] of pairs(o["params"], `${at}.params`)) {
    const w = `${at}.params[${path}]`;
    const decl = decls[path];
    if (decl === undefined) fail(w, `a parameter of the structure (${expectedPaths.join(", ")})`, `the path ${path}`);
    const q = obj(pv, w, ["dtype", "shape", "data", "grad", "gradValid", "lossScale"]);
    const dtype = dtypeOf(q["dtype"], `${w}.dtype`);
    if (dtype !== decl.dtype) fail(`${w}.dtype`, `the declared dtype ${decl.dtype}`, dtype);
    const shape = q["shape"] === null ? null : shapeOf(q["shape"], `${w}.shape`);
    const data = q["data"] === null ? null : source(q["data"], `${w}.data`);
    if (data !== null) {
      if (data.dtype !== dtype) fail(`${w}.data`, `a ${dtype} array (the parameter's dtype)`, `a ${data.dtype} array`);
      if (shape === null || !sameShape(shape, data.shape)) fail(`${w}.shape`, `the data's shape ${shapeText(data.shape)}`, shapeText(shape));
    }
    const grad = q["grad"] === null ? null : source(q["grad"], `${w}.grad`);
    if (grad !== null) {
      if (grad.dtype !== dtype) fail(`${w}.grad`, `a ${dtype} array (the parameter's dtype)`, `a ${grad.dtype} array`);
      if (data !== null && !sameShape(grad.shape, data.shape)) fail(`${w}.grad`, `the data's shape ${shapeText(data.shape)}`, shapeText(grad.shape));
    }
    params[path] = {
      dtype,
      shape,
      data,
      grad,
      gradValid: bool(q["gradValid"], `${w}.gradValid`),
      lossScale: nullableDecNum(q["lossScale"], `${w}.lossScale`),
    };
  }
  const missing = expectedPaths.filter((p) => !(p in params));
  if (missing.length > 0) fail(`${at}.params`, `every parameter of the structure`, `no entry for ${missing.join(", ")}`);
  return { structure, params };
}

function decRule(v: unknown, at: string, param: Param, source: ArraySource): UpdateRuleState {
  const o = obj(v, at, ["t", "enabled", "state", "hyperparam", "hooks", "useFp32Update", "fp32Param", "extras"], ["fp32ParamUninitialized"]);
  const pshape = param.data?.shape ?? null;
  let state: Record<string, NDArray> | null = null;
  if (o["state"] !== null) {
    state = {};
    for (const [k, a] of pairs(o["state"], `${at}.state`)) {
      const x = source(a, `${at}.state.${k}`);
      if (pshape !== null && !sameShape(x.shape, pshape)) fail(`${at}.state.${k}`, `an array of the parameter's shape ${shapeText(pshape)}`, `shape ${shapeText(x.shape)}`);
      state[k] = x;
    }
  }
  const fp32Param = o["fp32Param"] === null ? null : source(o["fp32Param"], `${at}.fp32Param`);
  if (fp32Param !== null) {
    if (fp32Param.dtype !== "float32") fail(`${at}.fp32Param`, "a float32 array", `a ${fp32Param.dtype} array`);
    if (pshape !== null && !sameShape(fp32Param.shape, pshape)) fail(`${at}.fp32Param`, `the parameter's shape ${shapeText(pshape)}`, shapeText(fp32Param.shape));
  }
  const extras: Record<string, number> = {};
  for (const [k, x] of pairs(o["extras"], `${at}.extras`)) extras[k] = decNum(x, `${at}.extras.${k}`);
  const rule: { -readonly [K in keyof UpdateRuleState]: UpdateRuleState[K] } = {
    t: decCounter(o["t"], `${at}.t`),
    enabled: bool(o["enabled"], `${at}.enabled`),
    state,
    hyperparam: decHyper(o["hyperparam"], `${at}.hyperparam`),
    hooks: decHookTable(o["hooks"], `${at}.hooks`),
    useFp32Update: bool(o["useFp32Update"], `${at}.useFp32Update`),
    fp32Param,
    extras,
  };
  if ("fp32ParamUninitialized" in o) rule.fp32ParamUninitialized = bool(o["fp32ParamUninitialized"], `${at}.fp32ParamUninitialized`);
  return rule;
}

/** Hyperparameter values of the types the optimizer declares (as `setHyperparam` checks them). */
function checkHyperparams(def: OptimizerDef, hp: Hyperparams, at: string, complete: boolean): void {
  for (const h of def.hyperparams) {
    if (!(h.name in hp)) {
      if (complete) fail(`${at}.${h.name}`, `a value (${def.name} sets every hyperparameter)`, undefined);
      continue;
    }
    const bad = checkHyperValue(h.name, hp[h.name], h.type);
    if (bad !== null) fail(`${at}.${h.name}`, `a ${h.type} value`, bad);
  }
}

function checkHeader(v: unknown, at: string): Record<string, unknown> {
  if (!isPlainObject(v) || v["format"] !== LOSSLESS_FORMAT) {
    fail(`${at}.format`, `${JSON.stringify(LOSSLESS_FORMAT)} (an optspec lossless snapshot)`, isPlainObject(v) ? v["format"] : v);
  }
  const version = v["version"];
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > LOSSLESS_VERSION) {
    throw new SnapshotVersionError(version, LOSSLESS_VERSION);
  }
  return v;
}

function decodeDocument(v: unknown, source: ArraySource): OptimizerState {
  const at = "$";
  checkHeader(v, at);
  const o = obj(v, at, [
    "format", "version", "optimizer", "hyperparam", "t", "epoch", "useAutoNewEpoch", "useFp32Update", "useCleargrads", "lossScale", "hooks", "target", "rules",
  ]);
  const optimizer = str(o["optimizer"], `${at}.optimizer`);
  if (getOptimizerDef(optimizer) === undefined) throw new UnknownOptimizerError(optimizer);
  const l = obj(o["lossScale"], `${at}.lossScale`, LOSS_SCALE_FIELDS);
  const lossScale: LossScaleState = {
    scale: nullableDecNum(l["scale"], `${at}.lossScale.scale`),
    dynamic: bool(l["dynamic"], `${at}.lossScale.dynamic`),
    interval: nullableDecNum(l["interval"], `${at}.lossScale.interval`),
    multiplier: nullableDecNum(l["multiplier"], `${at}.lossScale.multiplier`),
    isnanEver: bool(l["isnanEver"], `${at}.lossScale.isnanEver`),
    isnan: bool(l["isnan"], `${at}.lossScale.isnan`),
  };
  const hooks = o["hooks"] === null ? null : decHookTable(o["hooks"], `${at}.hooks`);
  const target = o["target"] === null ? null : decTarget(o["target"], `${at}.target`, source);
  if ((hooks === null) !== (target === null)) {
    fail(`${at}.hooks`, "hooks and target both null (not set up) or both present (set up)", hooks === null ? "null hooks with a target" : "hooks without a target");
  }
  const rules: Record<string, UpdateRuleState> = {};
  for (const [path, rv] of pairs(o["rules"], `${at}.rules`)) {
    const param = target?.params[path];
    if (param === undefined) fail(`${at}.rules[${path}]`, "a rule for a parameter of the target", `a rule for ${path}`);
    rules[path] = decRule(rv, `${at}.rules[${path}]`, param, source);
  }
  const def = getOptimizerDef(optimizer) as OptimizerDef;
  const hyperparam = decHyper(o["hyperparam"], `${at}.hyperparam`);
  checkHyperparams(def, hyperparam, `${at}.hyperparam`, true);
  for (const [path, r] of Object.entries(rules)) checkHyperparams(def, r.hyperparam, `${at}.rules[${path}].hyperparam`, false);
  return {
    optimizer,
    hyperparam,
    t: decCounter(o["t"], `${at}.t`),
    epoch: decCounter(o["epoch"], `${at}.epoch`),
    useAutoNewEpoch: bool(o["useAutoNewEpoch"], `${at}.useAutoNewEpoch`),
    hooks,
    target,
    rules,
    useFp32Update: bool(o["useFp32Update"], `${at}.useFp32Update`),
    lossScale,
    useCleargrads: bool(o["useCleargrads"], `${at}.useCleargrads`),
  };
}

function parseJson(text: string, at: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return fail(at, "well-formed JSON text", `a parse error (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * A state from its lossless JSON text. Throws only `SerializationError` subclasses.
 * @clause serialization.lossless.validate
 */
export function fromJSON(text: string): OptimizerState {
  if (typeof text !== "string") fail("$", "JSON text (a string)", text);
  return decodeDocument(parseJson(text, "$"), decInlineArray);
}

/**
 * A state from a lossless `.npz` (`saveLossless`). Throws only `SerializationError` subclasses.
 * @clause serialization.lossless.validate
 */
export function loadLossless(bytes: Uint8Array): OptimizerState {
  let entries: NpzEntry[];
  try {
    entries = readNpz(bytes).entries;
  } catch (err) {
    if (err instanceof NpzFormatError || err instanceof NpyFormatError) throw new ArchiveFormatError(err);
    throw err;
  }
  const byKey = new Map(entries.map((e) => [e.key, e.array]));
  const metaAt = `npz member ${JSON.stringify(`${LOSSLESS_META_KEY}.npy`)}`;
  const meta = byKey.get(LOSSLESS_META_KEY);
  if (meta === undefined) fail(metaAt, "the JSON document of an optspec lossless snapshot", "no such member");
  if ("kind" in meta || meta.dtype !== "uint8" || meta.shape.length !== 1) {
    fail(metaAt, "a 1-d uint8 array of UTF-8 JSON", "kind" in meta ? "None" : `a ${meta.dtype} array of shape ${shapeText(meta.shape)}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(meta.data as Float64Array));
  } catch {
    return fail(metaAt, "UTF-8 text", "invalid UTF-8");
  }
  const used = new Set<string>();
  const source: ArraySource = (v, at) => {
    const ref = obj(v, at, ["npy"]);
    const key = str(ref["npy"], `${at}.npy`);
    const where = `${at} (npz member ${JSON.stringify(`${key}.npy`)})`;
    if (key === LOSSLESS_META_KEY) fail(where, "an array member", "the document itself");
    const a = byKey.get(key);
    if (a === undefined) fail(where, "a member of the archive", "no such member");
    if (used.has(key)) fail(where, "a member referenced once", "a second reference");
    used.add(key);
    if ("kind" in a) fail(where, "a float array", "None");
    if (!isDtype(a.dtype)) fail(where, "a float16, float32 or float64 array", `a ${a.dtype} array`);
    return { dtype: a.dtype, shape: [...a.shape], data: new Float64Array(a.data as Float64Array) };
  };
  const state = decodeDocument(parseJson(text, metaAt), source);
  const extra = entries.map((e) => e.key).filter((k) => k !== LOSSLESS_META_KEY && !used.has(k));
  if (extra.length > 0) fail(`npz member ${JSON.stringify(`${extra[0]}.npy`)}`, "only members the document references", `${extra.length} unreferenced member(s)`);
  return state;
}
