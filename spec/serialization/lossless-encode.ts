/**
 * Writing the lossless snapshot (format: lossless.ts): `toJSON` and `saveLossless`. A state with a
 * field this format version does not know is refused rather than written lossily.
 */
import type { LossScaleState, OptimizerState } from "../state.js";
import type { NDArray } from "../ndarray.js";
import type { HookEntry, HookTable, Json } from "../hooks/types.js";
import type { Hyperparams } from "../hyperparam.js";
import type { LinkStructure } from "../link.js";
import { type NpzEntry, writeNpz } from "./npz.js";
import { toBitsHex } from "../numerics/bits.js";
import { SnapshotFormatError } from "./load-errors.js";
import {
  HOOK_FIELDS,
  HOOK_SPEC_FIELDS,
  LOSSLESS_FORMAT,
  LOSSLESS_META_KEY,
  LOSSLESS_VERSION,
  LOSS_SCALE_FIELDS,
  PARAM_FIELDS,
  RULE_FIELDS,
  STATE_FIELDS,
  f64Hex,
} from "./lossless-format.js";

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
    if (!fields.includes(k))
      throw new SnapshotFormatError(
        at,
        `only the fields ${fields.join(", ")} (format version ${LOSSLESS_VERSION})`,
        `a field ${JSON.stringify(k)} it would lose`,
      );
  }
}

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
  const meta: NpzEntry = {
    key: LOSSLESS_META_KEY,
    array: { dtype: "uint8", shape: [text.length], data: Float64Array.from(text) },
  };
  return writeNpz([meta, ...entries], { compress: options.compress ?? true });
}
