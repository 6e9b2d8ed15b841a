/**
 * The catalog of common implementation mistakes, each written as a variant of the spec: the same
 * update with one thing done the way a backend author might get it wrong. A variant predicts the
 * outputs of one failing segment; the diagnosis reports the variant that reproduces them.
 *
 * Call-level variants change the call (t, settings, which elements run); stage variants replace
 * one marked stage of the spec's formula (`spec/stages.ts`) with the mistaken value.
 */
import {
  type Dtype,
  type NDArray,
  type OptimizerDef,
  type UpdateCall,
  type UpdateResult,
  astype,
  np,
  num,
  pow,
  roundTo,
  truthy,
  withStageProbe,
  alphaT,
  intermediateDtype,
} from "../../spec/index.js";
import type { Layout } from "../checks/packed.js";
import { type NumericsContext, withNumerics } from "../../spec/index.js";
import { float64Intermediates, flushSubnormals, fusedMultiplyAdd, scalarUnrounded, staleState } from "./arithmetic.js";
import type { Outputs } from "./match.js";

export interface SegmentOutcome {
  readonly call: UpdateCall;
  readonly expected: UpdateResult;
  readonly actual: Outputs;
}

/** A failing pack: every segment's call, the spec's and the backend's outputs, the raw buffers. */
export interface OptimizerFailure {
  readonly def: OptimizerDef;
  readonly dtype: Dtype;
  readonly tol: number;
  readonly segments: readonly SegmentOutcome[];
  /** The failing segment. */
  readonly k: number;
  /** Whole buffers as read back ("param", "grad", state keys). */
  readonly raw: Readonly<Record<string, Float64Array>>;
  /** Whole buffers as written before the call. */
  readonly inputs: Readonly<Record<string, Float64Array>>;
  readonly layout: Layout;
}

export interface OptimizerVariant {
  readonly id: string;
  /** The mistake, in a backend author's words (completes "your outputs match the spec with …"). */
  readonly mistake: string;
  /** The stage the mistake lives in, when narrower than the first differing output's clause. */
  readonly clause?: (def: OptimizerDef) => string | undefined;
  /** The segment's outputs under the mistake, or null when it does not apply. */
  predict(f: OptimizerFailure): Outputs | null;
}

const isAdam = (def: OptimizerDef): boolean => (def.kernel ?? def.name) === "Adam";

function rerun(def: OptimizerDef, call: UpdateCall): Outputs | null {
  try {
    return def.update(call);
  } catch {
    return null;
  }
}

function seg(f: OptimizerFailure): SegmentOutcome {
  return f.segments[f.k] as SegmentOutcome;
}

/** The inputs themselves, at the elements `keep` selects; the spec's outputs elsewhere. */
function keepInputs(o: SegmentOutcome, keep: (i: number) => boolean): Outputs {
  const mix = (input: NDArray, out: NDArray): NDArray => ({
    ...out,
    data: out.data.map((x, i) => (keep(i) ? (input.data[i] as number) : x)),
  });
  const state: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(o.expected.state)) state[k] = mix(o.call.state[k] as NDArray, v);
  return { param: mix(o.call.param, o.expected.param), state };
}

/** The spec with one marked stage's value replaced. */
function withStage(f: OptimizerFailure, clause: string, replace: (value: unknown) => unknown): Outputs | null {
  return withStageProbe(
    (c, v) => (c === clause ? replace(v) : v),
    () => rerun(f.def, seg(f).call),
  );
}

function alphaTVariant(
  id: string,
  mistake: string,
  value: (hp: UpdateCall["hp"], t: number) => number | null,
): OptimizerVariant {
  return {
    id,
    mistake,
    clause: () => "adam.alpha-t",
    predict: (f) => {
      const { hp, t } = seg(f).call;
      const v = isAdam(f.def) ? value(hp, t) : null;
      return v === null ? null : withStage(f, "adam.alpha-t", () => v);
    },
  };
}

/** The segment's update with the spec's formulas under another arithmetic. */
function under(f: OptimizerFailure, ctx: NumericsContext): Outputs | null {
  return withNumerics(ctx, () => rerun(f.def, seg(f).call));
}

const CATALOG: readonly OptimizerVariant[] = [
  {
    id: "t-plus-one",
    mistake: "`t + 1` for the rule's t (counter incremented twice, or read after the next increment)",
    clause: (def) => (isAdam(def) ? "adam.alpha-t" : undefined),
    predict: (f) => rerun(f.def, { ...seg(f).call, t: seg(f).call.t + 1 }),
  },
  {
    id: "t-minus-one",
    mistake: "`t − 1` for the rule's t (counter read before its increment)",
    clause: (def) => (isAdam(def) ? "adam.alpha-t" : undefined),
    predict: (f) => (seg(f).call.t > 1 ? rerun(f.def, { ...seg(f).call, t: seg(f).call.t - 1 }) : null),
  },
  alphaTVariant(
    "beta1-power-late",
    "`beta1^(t−1)` in the bias correction of alpha_t",
    (hp, t) => (num(hp, "alpha") * Math.sqrt(1 - pow(num(hp, "beta2"), t))) / (1 - pow(num(hp, "beta1"), t - 1)),
  ),
  alphaTVariant("no-bias-correction", "no bias correction (alpha_t = alpha)", (hp) => num(hp, "alpha")),
  alphaTVariant(
    "bias-correction-unrooted",
    "`1 − beta2^t` not square-rooted in alpha_t",
    (hp, t) => (num(hp, "alpha") * (1 - pow(num(hp, "beta2"), t))) / (1 - pow(num(hp, "beta1"), t)),
  ),
  {
    id: "eps-inside-sqrt",
    mistake: "eps inside the square root (`alpha_t / sqrt(v + eps)`)",
    clause: (def) => (isAdam(def) ? "adam.update.step" : undefined),
    predict: (f) => {
      const o = seg(f);
      if (isAdam(f.def)) {
        const I = intermediateDtype(f.dtype);
        const u = truthy(o.call.hp, "amsgrad") ? o.expected.state["vhat"] : o.expected.state["v"];
        if (u === undefined) return null;
        const uI = u.dtype === I ? u : astype(u, I);
        return withStage(f, "adam.update.step", () =>
          np.div(alphaT(o.call.hp, o.call.t), np.sqrt(np.add(uI, num(o.call.hp, "eps")))),
        );
      }
      // Optimizers with the choice as a hyperparameter (RMSprop): the other setting.
      if (!("eps_inside_sqrt" in o.call.hp)) return null;
      return rerun(f.def, { ...o.call, hp: { ...o.call.hp, eps_inside_sqrt: !truthy(o.call.hp, "eps_inside_sqrt") } });
    },
  },
  {
    id: "bounds-t-minus-one",
    mistake: "AdaBound's bounds computed with `t − 1`",
    clause: () => "adam.bounds",
    predict: (f) => {
      const o = seg(f);
      if (!isAdam(f.def) || !truthy(o.call.hp, "adabound")) return null;
      const hp = o.call.hp;
      const final = (num(hp, "final_lr") * num(hp, "alpha")) / (o.call.extras["initial_alpha"] ?? NaN);
      const gt = num(hp, "gamma") * (o.call.t - 1);
      return withStage(f, "adam.bounds", () => [final * (1 - 1 / (gt + 1)), final * (1 + 1 / gt)]);
    },
  },
  {
    id: "stale-state",
    mistake: "the parameter updated from the state as it was before this step (a stale read)",
    predict: (f) => {
      const o = seg(f);
      const r = under(f, staleState(Object.values(o.call.state)));
      return r === null ? null : { param: r.param, state: o.expected.state };
    },
  },
  {
    id: "fused-multiply-add",
    mistake: "`a·b + c` fused (the product not rounded before the addition)",
    predict: (f) => under(f, fusedMultiplyAdd()),
  },
  {
    id: "scalar-unrounded",
    mistake: "Python-float scalars not rounded to the array's dtype before they meet it",
    predict: (f) => (f.dtype === "float64" ? null : under(f, scalarUnrounded())),
  },
  {
    id: "float64-intermediates",
    mistake: "float64 intermediates, rounded once when stored",
    predict: (f) => (f.dtype === "float64" ? null : under(f, float64Intermediates())),
  },
  {
    id: "flushed-subnormals",
    mistake: "subnormals flushed to zero (inputs and results)",
    predict: (f) => under(f, flushSubnormals()),
  },
  {
    id: "zero-grad-skipped",
    mistake: "elements whose gradient is zero skipped (left as they were)",
    predict: (f) => {
      const o = seg(f);
      return keepInputs(o, (i) => o.call.grad.data[i] === 0);
    },
  },
  ...[4, 8, 16].map((lanes): OptimizerVariant => ({
    id: `simd-tail-skipped-${lanes}`,
    mistake: `the SIMD tail skipped (elements past the last multiple of ${lanes} in a segment left as they were)`,
    predict: (f) => {
      const o = seg(f);
      const n = o.call.param.data.length;
      return n % lanes === 0 ? null : keepInputs(o, (i) => i >= n - (n % lanes));
    },
  })),
  {
    id: "first-segment-settings",
    mistake: "the first segment's hyperparameters, t and extras used for every segment",
    predict: (f) => {
      const first = f.segments[0] as SegmentOutcome;
      if (f.k === 0) return null;
      return rerun(f.def, { ...seg(f).call, hp: first.call.hp, t: first.call.t, extras: first.call.extras });
    },
  },
  {
    id: "segment-skipped",
    mistake: "this segment never computed (dropped, or computed at another offset)",
    predict: (f) => keepInputs(seg(f), () => true),
  },
  {
    id: "float16-single-rounding",
    mistake: "float16 computed in float32 and rounded to float16 once (Chainer rounds every operation)",
    predict: (f) => {
      if (f.dtype !== "float16") return null;
      const o = seg(f);
      const up = (a: NDArray): NDArray => astype(a, "float32");
      const state: Record<string, NDArray> = {};
      for (const [k, v] of Object.entries(o.call.state)) state[k] = up(v);
      const r = rerun(f.def, { ...o.call, param: up(o.call.param), grad: up(o.call.grad), state });
      if (r === null) return null;
      const down = (a: NDArray): NDArray => ({
        dtype: "float16",
        shape: a.shape,
        data: a.data.map((x) => roundTo("float16", x)),
      });
      const st: Record<string, NDArray> = {};
      for (const [k, v] of Object.entries(r.state)) st[k] = down(v);
      return { param: down(r.param), state: st };
    },
  },
];

// Where several variants reproduce a shrunk counterexample equally well, the narrower mistake is
// named first (a tail skip explains fewer elements than "every zero gradient skipped").
const PREFERENCE = ["first-segment-settings", "simd-tail-skipped-4", "simd-tail-skipped-8", "simd-tail-skipped-16"];

export const OPTIMIZER_VARIANTS: readonly OptimizerVariant[] = [
  ...CATALOG.filter((v) => PREFERENCE.includes(v.id)).sort(
    (a, b) => PREFERENCE.indexOf(a.id) - PREFERENCE.indexOf(b.id),
  ),
  ...CATALOG.filter((v) => !PREFERENCE.includes(v.id)),
];
