/**
 * What every benchmark computes on, the same for every backend, the spec and the peers:
 * - data: p, g uniform in [-1, 1]; every optimizer state in [0.01, 0.1] (SMORMS3's mem in [1, 2]);
 *   GradientNoise's noise in [-0.01, 0.01]; values rounded to the dtype; a fixed seed.
 * - hyperparameters: Chainer's defaults (Adam alpha 1e-3, beta1 0.9, beta2 0.999, eps 1e-8; SGD and
 *   MomentumSGD lr 0.01, momentum 0.9), with AdamW's decoupled decay on (weight_decay_rate 1e-4)
 *   so that its own path runs; the rule's t is 10 on every call.
 * - hooks: every hook kind with a per-parameter kernel (`kernel.scope == "param"`), its scalars
 *   from the kind's own description (`scalarsOf`, GradientLARS's norms from the backend's
 *   reductions outside the timed call): WeightDecay and Lasso rate 1e-4; GradientHardClipping
 *   [-0.5, 0.5]; GradientLARS threshold 1e-2, weight_decay 1e-4, eps 1e-9; GradientNoise eta 0.01.
 *   A kind not listed here gets its schema's first example (or the middle of its range) per argument.
 * The state moves every call; none of these settings drives values to denormals, NaN or Inf
 * within any run's number of calls.
 */
import {
  type Dtype,
  type HookKind,
  type Hyperparams,
  type HyperValue,
  type Json,
  type OptimizerDef,
  type PerParamKernelDesc,
  BUILTIN_HOOKS,
  roundTo,
} from "../spec/index.js";

export const RULE_T = 10;

/** Deterministic uniform values in [lo, hi], rounded to the dtype. */
export function uniform(n: number, lo: number, hi: number, dtype: Dtype, seed: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = roundTo(dtype, lo + ((x >>> 0) / 4294967296) * (hi - lo));
  }
  return out;
}

/** Initial values of an optimizer's state entry (SMORMS3's `mem` starts at 1 and stays above). */
export const stateRange = (key: string): [number, number] => (key === "mem" ? [1, 2] : [0.01, 0.1]);

const OVERRIDES: Readonly<Record<string, Readonly<Record<string, HyperValue>>>> = {
  AdamW: { weight_decay_rate: 1e-4 },
};

/** The optimizer's effective hyperparameters: defaults, its fixed values, then the bench's overrides. */
export function hyperparamsFor(def: OptimizerDef): Hyperparams {
  const hp: Record<string, HyperValue> = {};
  for (const h of def.hyperparams) hp[h.name] = h.default;
  return { ...hp, ...def.fixed, ...OVERRIDES[def.name] };
}

const HOOK_ARGS: Readonly<Record<string, Readonly<Record<string, Json>>>> = {
  WeightDecay: { rate: 1e-4 },
  Lasso: { rate: 1e-4 },
  GradientHardClipping: { lower_bound: -0.5, upper_bound: 0.5 },
  GradientLARS: { threshold: 1e-2, weight_decay: 1e-4, eps: 1e-9 },
  GradientNoise: { eta: 0.01 },
};

/** A hook kind with the per-parameter kernel the bench times. */
export interface BenchHook {
  readonly kind: HookKind;
  readonly desc: PerParamKernelDesc;
  /** The spec hook's args. */
  readonly args: Readonly<Record<string, Json>>;
}

function argsFromSchema(kind: HookKind): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const a of kind.args ?? []) {
    const ex = a.examples.find((x) => x !== null);
    if (ex !== undefined) out[a.name] = ex;
    else if (a.range !== undefined) out[a.name] = (a.range[0] + a.range[1]) / 2;
  }
  return out;
}

/** Every built-in hook kind with a per-parameter kernel, in registry order. */
export const HOOKS: readonly BenchHook[] = Object.values(BUILTIN_HOOKS).flatMap((kind: HookKind) =>
  kind.kernel?.scope === "param"
    ? [{ kind, desc: kind.kernel, args: HOOK_ARGS[kind.kind] ?? argsFromSchema(kind) }]
    : [],
);

export const benchHook = (kind: string): BenchHook | undefined => HOOKS.find((h) => h.kind.kind === kind);
