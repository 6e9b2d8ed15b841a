/** Compare the spec's state with a golden snapshot; report the first difference of each item. */
import {
  type Dtype,
  type NDArray,
  type OptimizerState,
  alphaT,
  adaBoundBounds,
  effectiveHyperparams,
} from "../../spec/index.js";
import { decodeArray, decodePyFloat, decodeValue, toBits, ulpDistance, type GoldenArray, type GoldenPyFloat } from "./encoding.js";
import type { GoldenSnapshot } from "./format.js";

export interface Difference {
  /** What differed, e.g. `params /enc/W` or `rules /u state.m`. */
  readonly what: string;
  readonly detail: string;
  readonly index?: number;
  readonly expectedBits?: string;
  readonly actualBits?: string;
  readonly ulp?: number;
  readonly clause?: string;
  /** The two values, and the dtype they were compared in. */
  readonly expected?: number;
  readonly actual?: number;
  readonly dtype?: Dtype;
}

/** Compare two arrays element by element (NaN equals NaN whatever its payload). */
export function compareArrays(what: string, expected: NDArray, actual: NDArray | null | undefined, clause?: string): Difference | null {
  const c = clause === undefined ? {} : { clause };
  if (actual === null || actual === undefined) return { what, detail: "missing (expected an array)", ...c };
  if (expected.dtype !== actual.dtype) return { what, detail: `dtype ${actual.dtype}, expected ${expected.dtype}`, ...c };
  if (expected.shape.join(",") !== actual.shape.join(",")) {
    return { what, detail: `shape [${actual.shape.join(", ")}], expected [${expected.shape.join(", ")}]`, ...c };
  }
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i] as number;
    const a = actual.data[i] as number;
    if (Object.is(e, a) || (Number.isNaN(e) && Number.isNaN(a))) continue;
    return {
      what,
      detail: `element ${i}: ${a} (0x${toBits(actual.dtype, a)}), expected ${e} (0x${toBits(expected.dtype, e)})`,
      index: i,
      expected: e,
      actual: a,
      dtype: expected.dtype,
      expectedBits: toBits(expected.dtype, e),
      actualBits: toBits(actual.dtype, a),
      ulp: ulpDistance(expected.dtype, e, a),
      ...c,
    };
  }
  return null;
}

function compareF64(what: string, expected: GoldenPyFloat | number, actual: number | null | undefined): Difference | null {
  const e = typeof expected === "number" ? expected : decodePyFloat(expected);
  if (actual === null || actual === undefined) return { what, detail: `missing, expected ${e}` };
  if (Object.is(e, actual) || (Number.isNaN(e) && Number.isNaN(actual))) return null;
  return { what, detail: `${actual} (0x${toBits("float64", actual)}), expected ${e} (0x${toBits("float64", e)})`, expectedBits: toBits("float64", e), actualBits: toBits("float64", actual), ulp: ulpDistance("float64", e, actual) };
}

function push(out: Difference[], d: Difference | null): void {
  if (d !== null) out.push(d);
}

export function compareSnapshot(s: OptimizerState, after: GoldenSnapshot, gradsIn: Readonly<Record<string, GoldenArray>> | undefined): Difference[] {
  const out: Difference[] = [];
  if (s.t !== after.t) out.push({ what: "t", detail: `${s.t}, expected ${after.t}`, clause: "update.sequence" });
  if (s.epoch !== after.epoch) out.push({ what: "epoch", detail: `${s.epoch}, expected ${after.epoch}`, clause: "optimizer.new-epoch" });
  const params = s.target?.params ?? {};
  for (const [path, a] of Object.entries(after.params)) {
    push(out, compareArrays(`params ${path}`, decodeArray(a), params[path]?.data));
  }
  if (after.grads !== undefined) {
    for (const [path, g] of Object.entries(after.grads)) {
      const actual = params[path]?.grad ?? null;
      if (g === null) {
        if (actual !== null) out.push({ what: `grads ${path}`, detail: "present, expected None" });
      } else push(out, compareArrays(`grads ${path}`, decodeArray(g), actual));
    }
  } else if (after.grads_unchanged === true && gradsIn !== undefined) {
    for (const [path, g] of Object.entries(gradsIn)) {
      push(out, compareArrays(`grads ${path} (unchanged)`, decodeArray(g), params[path]?.grad));
    }
  }
  for (const [path, r] of Object.entries(after.rules)) {
    const rule = s.rules[path];
    if (rule === undefined) {
      out.push({ what: `rules ${path}`, detail: "missing" });
      continue;
    }
    if (rule.t !== r.t) out.push({ what: `rules ${path} t`, detail: `${rule.t}, expected ${r.t}`, clause: "rule.update.t" });
    if (rule.enabled !== r.enabled) out.push({ what: `rules ${path} enabled`, detail: `${rule.enabled}, expected ${r.enabled}` });
    if (r.state === null) {
      if (rule.state !== null) out.push({ what: `rules ${path} state`, detail: "initialized, expected None", clause: "rule.update.lazy-state" });
    } else if (rule.state === null) {
      out.push({ what: `rules ${path} state`, detail: "None, expected initialized", clause: "rule.update.lazy-state" });
    } else {
      const ek = Object.keys(r.state).join(",");
      const ak = Object.keys(rule.state).join(",");
      if (ek !== ak) out.push({ what: `rules ${path} state keys`, detail: `[${ak}], expected [${ek}]` });
      for (const [k, v] of Object.entries(r.state)) push(out, compareArrays(`rules ${path} state.${k}`, decodeArray(v), rule.state[k]));
    }
    for (const [k, v] of Object.entries(r.own_hyperparam ?? {})) {
      const a = rule.hyperparam[k];
      const e = decodeValue(v);
      if (!Object.is(a, e)) out.push({ what: `rules ${path} own hyperparam ${k}`, detail: `${String(a)}, expected ${String(e)}`, clause: "hyperparam.override" });
    }
    if (r.fp32_param !== undefined) push(out, compareArrays(`rules ${path} fp32_param`, decodeArray(r.fp32_param), rule.fp32Param, "rule.update.fp32-master"));
    if (r.beta_power !== undefined) push(out, compareF64(`rules ${path} beta_power`, r.beta_power, rule.extras["beta_power"]));
    if (r.initial_alpha !== undefined) push(out, compareF64(`rules ${path} initial_alpha`, r.initial_alpha, rule.extras["initial_alpha"]));
  }
  for (const group of after.adam_derived ?? []) {
    for (const path of group.rules) {
      const rule = s.rules[path];
      if (rule === undefined) continue;
      const hp = effectiveHyperparams(s.hyperparam, rule.hyperparam);
      try {
        push(out, compareF64(`adam_derived ${path} alpha_t`, group.alpha_t, alphaT(hp, rule.t)));
        if (group.bounds !== undefined) {
          const [lo, hi] = adaBoundBounds(hp, rule.t, rule.extras["initial_alpha"] ?? NaN);
          push(out, compareF64(`adam_derived ${path} bounds.lower`, group.bounds[0], lo));
          push(out, compareF64(`adam_derived ${path} bounds.upper`, group.bounds[1], hi));
        }
      } catch (err) {
        out.push({ what: `adam_derived ${path}`, detail: `raised ${(err as Error).message}` });
      }
    }
  }
  if (after.loss_scale !== undefined) {
    if (after.loss_scale === null) {
      if (s.lossScale.scale !== null) out.push({ what: "loss_scale", detail: `${s.lossScale.scale}, expected None` });
    } else push(out, compareF64("loss_scale", after.loss_scale, s.lossScale.scale));
  }
  return out;
}
