/**
 * Reading the lossless snapshot (format: lossless.ts): `fromJSON` and `loadLossless`. Everything is
 * checked before a state is returned, with the invariants the API enforces (invariants.ts), within
 * the decode budget (limits.ts); the only errors are `SerializationError` subclasses.
 */
import type { LossScaleState, OptimizerState, UpdateRuleState } from "../state.js";
import type { NDArray } from "../ndarray.js";
import type { HookEntry, HookSpec, HookTable, Json } from "../hooks/types.js";
import { type Hyperparams, checkHyperValue } from "../hyperparam.js";
import type { OptimizerDef } from "../optimizers/types.js";
import {
  type Link,
  type LinkStructure,
  type Param,
  type ParamDecl,
  paramDecls,
  paramPaths,
  validateStructure,
} from "../link.js";
import { isDtype } from "../numerics/dtype.js";
import { getOptimizerDef } from "../optimizers/registry.js";
import { getHookKind } from "../hooks/registry.js";
import { type LegacyRandomState, randomDoubles } from "../numerics/mt19937.js";
import { hookArgsProblem, lossScaleProblem } from "../invariants.js";
import { deepFreeze } from "../plain-data.js";
import { type NpzEntry, readNpz } from "./npz.js";
import { NpyFormatError, NpzFormatError } from "./errors.js";
import {
  ArchiveFormatError,
  SnapshotVersionError,
  UnknownHookKindError,
  UnknownOptimizerError,
} from "./load-errors.js";
import { type DecodeLimits, DEFAULT_MAX_DECODE_BYTES } from "./limits.js";
import { LOSSLESS_FORMAT, LOSSLESS_META_KEY, LOSSLESS_VERSION, LOSS_SCALE_FIELDS } from "./lossless-format.js";
import { BITS_HEX_WIDTH, fromBitsHex } from "../numerics/bits.js";
import {
  MAX_JSON_DEPTH,
  arr,
  bool,
  decCounter,
  decHyper,
  decJson,
  decJsonObject,
  decNum,
  dtypeOf,
  fail,
  isPlainObject,
  nullableDecNum,
  obj,
  pairs,
  parseJson,
  shapeOf,
  str,
} from "./document-reader.js";

type ArraySource = (v: unknown, at: string) => NDArray;

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
  if (n !== words.length)
    fail(
      `${at}.bits`,
      `${shape.includes(0) ? 0 : "as many"} words as the shape [${shape.join(", ")}] has elements`,
      `${words.length} words`,
    );
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
    fail(
      at,
      "the generator state of exponential_decay_noise ({key: 624 uint32 words, pos, hasGauss, gauss, gaussBits})",
      err.message,
    );
  }
}

function decHookTable(v: unknown, at: string): HookTable {
  const o = obj(v, at, ["pre", "post"]);
  const names = new Set<string>();
  const one = (h: unknown, where: string): HookEntry => {
    const e = obj(h, where, ["name", "hook", "state"]);
    const name = str(e["name"], `${where}.name`);
    if (names.has(name))
      fail(`${where}.name`, "a hook name not used by another hook of the same table (pre or post)", name);
    names.add(name);
    const s = obj(e["hook"], `${where}.hook`, ["kind", "args"], ["timing", "name"]);
    const kindName = str(s["kind"], `${where}.hook.kind`);
    const kind = getHookKind(kindName);
    if (kind === undefined) throw new UnknownHookKindError(kindName, `${where}.hook.kind`);
    const args = decJsonObject(s["args"], `${where}.hook.args`);
    const bad = hookArgsProblem(kindName, args, `${where}.hook.args`);
    if (bad !== null) fail(bad.at, bad.expected, bad.got);
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
  if (kind !== "link" && kind !== "chain" && kind !== "chainlist")
    fail(`${at}.kind`, '"link", "chain" or "chainlist"', kind);
  const params: ParamDecl[] = arr(o["params"], `${at}.params`).map((p, i) => {
    const w = `${at}.params[${i}]`;
    const q = obj(p, w, ["name", "dtype", "shape"]);
    return {
      name: str(q["name"], `${w}.name`),
      dtype: dtypeOf(q["dtype"], `${w}.dtype`),
      shape: q["shape"] === null ? null : shapeOf(q["shape"], `${w}.shape`),
    };
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
      if (shape === null || !sameShape(shape, data.shape))
        fail(`${w}.shape`, `the data's shape ${shapeText(data.shape)}`, shapeText(shape));
    }
    const grad = q["grad"] === null ? null : source(q["grad"], `${w}.grad`);
    if (grad !== null) {
      if (grad.dtype !== dtype) fail(`${w}.grad`, `a ${dtype} array (the parameter's dtype)`, `a ${grad.dtype} array`);
      if (data !== null && !sameShape(grad.shape, data.shape))
        fail(`${w}.grad`, `the data's shape ${shapeText(data.shape)}`, shapeText(grad.shape));
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
  if (missing.length > 0)
    fail(`${at}.params`, `every parameter of the structure`, `no entry for ${missing.join(", ")}`);
  return { structure, params };
}

function decRule(v: unknown, at: string, param: Param, source: ArraySource): UpdateRuleState {
  const o = obj(
    v,
    at,
    ["t", "enabled", "state", "hyperparam", "hooks", "useFp32Update", "fp32Param", "extras"],
    ["fp32ParamUninitialized"],
  );
  const pshape = param.data?.shape ?? null;
  let state: Record<string, NDArray> | null = null;
  if (o["state"] !== null) {
    state = {};
    for (const [k, a] of pairs(o["state"], `${at}.state`)) {
      const x = source(a, `${at}.state.${k}`);
      if (pshape !== null && !sameShape(x.shape, pshape))
        fail(
          `${at}.state.${k}`,
          `an array of the parameter's shape ${shapeText(pshape)}`,
          `shape ${shapeText(x.shape)}`,
        );
      state[k] = x;
    }
  }
  const fp32Param = o["fp32Param"] === null ? null : source(o["fp32Param"], `${at}.fp32Param`);
  if (fp32Param !== null) {
    if (fp32Param.dtype !== "float32") fail(`${at}.fp32Param`, "a float32 array", `a ${fp32Param.dtype} array`);
    if (pshape !== null && !sameShape(fp32Param.shape, pshape))
      fail(`${at}.fp32Param`, `the parameter's shape ${shapeText(pshape)}`, shapeText(fp32Param.shape));
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
  if ("fp32ParamUninitialized" in o)
    rule.fp32ParamUninitialized = bool(o["fp32ParamUninitialized"], `${at}.fp32ParamUninitialized`);
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
    fail(
      `${at}.format`,
      `${JSON.stringify(LOSSLESS_FORMAT)} (an optspec lossless snapshot)`,
      isPlainObject(v) ? v["format"] : v,
    );
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
    "format",
    "version",
    "optimizer",
    "hyperparam",
    "t",
    "epoch",
    "useAutoNewEpoch",
    "useFp32Update",
    "useCleargrads",
    "lossScale",
    "hooks",
    "target",
    "rules",
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
  const badScale = lossScaleProblem(lossScale, `${at}.lossScale`);
  if (badScale !== null) fail(badScale.at, badScale.expected, badScale.got);
  const hooks = o["hooks"] === null ? null : decHookTable(o["hooks"], `${at}.hooks`);
  const target = o["target"] === null ? null : decTarget(o["target"], `${at}.target`, source);
  if ((hooks === null) !== (target === null)) {
    fail(
      `${at}.hooks`,
      "hooks and target both null (not set up) or both present (set up)",
      hooks === null ? "null hooks with a target" : "hooks without a target",
    );
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
  for (const [path, r] of Object.entries(rules))
    checkHyperparams(def, r.hyperparam, `${at}.rules[${path}].hyperparam`, false);
  return deepFreeze({
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
  });
}

/**
 * A state from its lossless JSON text. Throws only `SerializationError` subclasses.
 * @clause serialization.lossless.validate
 */
export function fromJSON(text: string, limits: DecodeLimits = {}): OptimizerState {
  if (typeof text !== "string") fail("$", "JSON text (a string)", text);
  return decodeDocument(parseJson(text, "$", maxBytesOf(limits)), decInlineArray);
}

/** The budget of `limits`, refused with `SnapshotFormatError` when it is not a positive safe integer. */
function maxBytesOf(limits: DecodeLimits): number {
  const max = (limits as { maxBytes?: unknown } | null)?.maxBytes ?? DEFAULT_MAX_DECODE_BYTES;
  return typeof max === "number" && Number.isSafeInteger(max) && max > 0
    ? max
    : fail("limits.maxBytes", "a positive safe integer", max);
}

/**
 * A state from a lossless `.npz` (`saveLossless`). Throws only `SerializationError` subclasses.
 * @clause serialization.lossless.validate
 */
export function loadLossless(bytes: Uint8Array, limits: DecodeLimits = {}): OptimizerState {
  if (!(bytes instanceof Uint8Array)) fail("$", "the bytes of an npz file (a Uint8Array)", bytes);
  const maxBytes = maxBytesOf(limits);
  let entries: NpzEntry[];
  try {
    entries = readNpz(bytes, { maxBytes }).entries;
  } catch (err) {
    if (err instanceof NpzFormatError || err instanceof NpyFormatError) throw new ArchiveFormatError(err);
    throw err;
  }
  const byKey = new Map(entries.map((e) => [e.key, e.array]));
  const metaAt = `npz member ${JSON.stringify(`${LOSSLESS_META_KEY}.npy`)}`;
  const meta = byKey.get(LOSSLESS_META_KEY);
  if (meta === undefined) fail(metaAt, "the JSON document of an optspec lossless snapshot", "no such member");
  if ("kind" in meta || meta.dtype !== "uint8" || meta.shape.length !== 1) {
    fail(
      metaAt,
      "a 1-d uint8 array of UTF-8 JSON",
      "kind" in meta ? "None" : `a ${meta.dtype} array of shape ${shapeText(meta.shape)}`,
    );
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
  const state = decodeDocument(parseJson(text, metaAt, maxBytes), source);
  const extra = entries.map((e) => e.key).filter((k) => k !== LOSSLESS_META_KEY && !used.has(k));
  if (extra.length > 0)
    fail(
      `npz member ${JSON.stringify(`${extra[0]}.npy`)}`,
      "only members the document references",
      `${extra.length} unreferenced member(s)`,
    );
  return state;
}
