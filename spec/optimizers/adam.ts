/**
 * Adam, with Chainer's AdamW (`eta`, `weight_decay_rate`), AMSGrad (`amsgrad`) and AdaBound
 * (`adabound`, `final_lr`, `gamma`) options. `D` is the parameter dtype, `I` the intermediate dtype
 * (float32 for float16 parameters, else D). Scalars in `[…]₆₄` are Python floats.
 *
 * @clause adam.update.eps-check Before any state is touched: if `I(eps) == 0` while `eps != 0`, the
 * update fails. Chainer means to raise ValueError but, through a bug, raises
 * `AttributeError: type object 'numpy.float32' has no attribute 'name'`; we raise EpsTooSmallError
 * with Chainer's type and text recorded (deviation: clear message, same failure point).
 * @clause adam.update.moments
 *   `gI = g.astype(I)`;
 *   `m ← m + [1−beta1]₆₄·(gI − m)`;
 *   `v ← v + [1−beta2]₆₄·((gI·gI) − v)`,
 * computed in I and stored into the D-typed state (rounded twice for float16).
 * @clause adam.update.amsgrad With `amsgrad`: `vhat ← maximum(vhat, v)` in place (NaN-propagating)
 * and `u = vhat`; else `u = v`. A rule whose state has no `vhat` raises KeyError('vhat') after the
 * moments were updated (turning `amsgrad` on mid-run; partial effect: m and v already moved).
 * @clause adam.alpha-t `alpha_t = (alpha·sqrt(1 − beta2^t)) / (1 − beta1^t)` in float64, with `t` the
 * rule's own t and `^` a correctly rounded power (glibc `pow`).
 * @clause adam.alpha-t.t-zero Asking a rule for `alpha_t` (Adam's `lr` property) while its `t` is 0
 * fails with RuntimeError: the step size is undefined before the first update.
 * @clause adam.update.step `step = I(alpha_t) / (sqrt(u.astype(I)) + I(eps))`.
 * @clause adam.bounds With `adabound`: `final = (final_lr·alpha)/initial_alpha`,
 * `lower = final·(1 − 1/(gamma·t + 1))`, `upper = final·(1 + 1/(gamma·t))` (float64) and
 * `step = clip(step, lower, upper)`. `initial_alpha` is the rule's alpha when it was created (setup),
 * captured only if `adabound` was on then; otherwise AttributeError (partial effect: moments moved).
 * @clause adam.bounds.t-zero Likewise the AdaBound bounds of a rule whose `t` is 0 fail with
 * RuntimeError.
 * @clause adam.update.param `y = step·m`; `a = [1 − eta·weight_decay_rate]₆₄`; if `a == 1`:
 * `p ← p + I(−eta)·y`, else `p ← D(a)·p + I(−eta)·y` (the product `a·p` in D).
 * @clause adam.defaults `alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8, eta=1.0,
 * weight_decay_rate=0 (int), amsgrad=False, adabound=False, final_lr=0.1, gamma=1e-3`; states
 * `m`, `v` (and `vhat` when `amsgrad` is on at initialization) = zeros of the parameter's dtype.
 * @clause laws.adam-zero-grad From a fresh state with a `+0` gradient, `eps > 0` and
 * `weight_decay_rate = 0` (any `amsgrad`/`adabound`): `m = v = +0`, the step size is finite, so
 * `y = step·(+0) = +0` and `p + I(−eta)·(+0) = p + (−0)` is `p` bitwise (−0 included).
 * @clause laws.adam-weight-decay-moves With `eta·weight_decay_rate ≠ 0` the update scales the
 * parameter by `D(1 − eta·weight_decay_rate)` even when the gradient is zero, so a zero-gradient
 * parameter moves toward 0 (`p' ≈ (1 − eta·wdr)·p`).
 */
import { type OptimizerDef, type UpdateCall, type UpdateResult, stateEntry } from "./types.js";
import { add, assignTo, clip, div, maximum, mul, sqrt, sub } from "../numerics/np.js";
import { astype, zerosLike, type NDArray } from "../ndarray.js";
import { type Hyperparams, type HyperparamDef, num, truthy } from "../hyperparam.js";
import { type Dtype, roundTo } from "../numerics/dtype.js";
import { pow } from "../numerics/pow.js";
import { EpsTooSmallError, MissingRuleAttributeError, OptspecError, StepsNotStartedError } from "../errors.js";
import { pyFloatRepr } from "../numerics/py-repr.js";
import { stage } from "../stages.js";
import { type KernelScalar, type KernelScalars, hpScalar } from "./kernel-scalars.js";

export const ADAM_HYPERPARAMS: readonly HyperparamDef[] = [
  { name: "alpha", default: 0.001, type: "float" },
  { name: "beta1", default: 0.9, type: "float" },
  { name: "beta2", default: 0.999, type: "float" },
  { name: "eps", default: 1e-8, type: "float" },
  { name: "eta", default: 1.0, type: "float" },
  { name: "weight_decay_rate", default: 0, type: "int" },
  { name: "amsgrad", default: false, type: "bool" },
  { name: "adabound", default: false, type: "bool" },
  { name: "final_lr", default: 0.1, type: "float" },
  { name: "gamma", default: 1e-3, type: "float" },
];

/** The intermediate dtype: Adam computes float16 parameters in float32. */
export function intermediateDtype(d: Dtype): Dtype {
  return d === "float16" ? "float32" : d;
}

/** @clause adam.alpha-t */
export function alphaT(hp: Hyperparams, t: number): number {
  if (t === 0) throw new StepsNotStartedError("learning rate", "Adam");
  const fix1 = 1 - pow(num(hp, "beta1"), t);
  const fix2 = 1 - pow(num(hp, "beta2"), t);
  return (num(hp, "alpha") * Math.sqrt(fix2)) / fix1;
}

/** @clause adam.bounds */
export function adaBoundBounds(hp: Hyperparams, t: number, initialAlpha: number): [number, number] {
  if (t === 0) throw new StepsNotStartedError("bounds", "AdaBound");
  const final = (num(hp, "final_lr") * num(hp, "alpha")) / initialAlpha;
  const gamma = num(hp, "gamma");
  const lower = final * (1 - 1 / (gamma * t + 1));
  const upper = final * (1 + 1 / (gamma * t));
  return [lower, upper];
}

/** @clause adam.update.eps-check Whether `eps` is nonzero but rounds to 0 in the intermediate dtype. */
function epsTooSmall(hp: Hyperparams, I: Dtype): boolean {
  const eps = num(hp, "eps");
  return eps !== 0 && roundTo(I, eps) === 0;
}

function checkEps(hp: Hyperparams, I: Dtype): void {
  const eps = num(hp, "eps");
  if (epsTooSmall(hp, I)) {
    throw new EpsTooSmallError(
      "Adam",
      I,
      pyFloatRepr(eps),
      { type: "AttributeError", str: `type object 'numpy.${I}' has no attribute 'name'` },
      "adam.update.eps-check",
    );
  }
}

function withPartial(err: unknown, partial: UpdateResult): never {
  if (err instanceof OptspecError) err.partial = partial;
  throw err;
}

/** The Python-float scalars of the update, read by the spec below and by every backend. */
const oneMinusBeta1 = (hp: Hyperparams): number => 1 - num(hp, "beta1");
const oneMinusBeta2 = (hp: Hyperparams): number => 1 - num(hp, "beta2");
/** `a = 1 − eta·weight_decay_rate` (float64). */
const decayFactor = (hp: Hyperparams): number => 1.0 - num(hp, "eta") * num(hp, "weight_decay_rate");
const negEta = (hp: Hyperparams): number => -num(hp, "eta");

const ADAM_SCALARS: readonly KernelScalar[] = [
  { name: "c1", clause: "adam.update.moments", role: "python", value: oneMinusBeta1 },
  { name: "c2", clause: "adam.update.moments", role: "python", value: oneMinusBeta2 },
  {
    name: "alpha_t",
    clause: "adam.alpha-t",
    role: "python",
    memo: { hp: ["alpha", "beta1", "beta2"], t: true },
    value: (hp, t) => alphaT(hp, t),
  },
  hpScalar("eps", "adam.update.step"),
  { name: "amsgrad", clause: "adam.update.amsgrad", role: "flag", value: (hp) => (truthy(hp, "amsgrad") ? 1 : 0) },
  { name: "adabound", clause: "adam.bounds", role: "flag", value: (hp) => (truthy(hp, "adabound") ? 1 : 0) },
  {
    name: "lower",
    clause: "adam.bounds",
    role: "python",
    when: "adabound",
    value: (hp, t, ex) => adaBoundBounds(hp, t, ex["initial_alpha"] as number)[0],
  },
  {
    name: "upper",
    clause: "adam.bounds",
    role: "python",
    when: "adabound",
    value: (hp, t, ex) => adaBoundBounds(hp, t, ex["initial_alpha"] as number)[1],
  },
  { name: "decay", clause: "adam.update.param", role: "flag", value: (hp) => (decayFactor(hp) !== 1 ? 1 : 0) },
  { name: "a", clause: "adam.update.param", role: "python", when: "decay", value: decayFactor },
  { name: "b", clause: "adam.update.param", role: "python", value: negEta },
];

/** The AdamRule kernel's scalars and buffers (Adam, AdamW, AMSGrad, AdaBound, AMSBound). */
export const ADAM_KERNEL_SCALARS: KernelScalars = {
  scalars: ADAM_SCALARS,
  states: [{ key: "m" }, { key: "v" }, { key: "vhat", when: "amsgrad" }],
  extras: [{ key: "initial_alpha", when: "adabound" }],
  refuse: (hp, dtype) =>
    epsTooSmall(hp, intermediateDtype(dtype))
      ? `eps of Adam optimizer is too small for ${intermediateDtype(dtype)} (${pyFloatRepr(num(hp, "eps"))}); the spec raises here`
      : null,
};

export function adamUpdate(call: UpdateCall): UpdateResult {
  const { param, grad, hp, t } = call;
  const I = intermediateDtype(param.dtype);
  checkEps(hp, I);
  const gI = grad.dtype === "float16" ? astype(grad, I) : grad;
  let m = stateEntry(call, "m", "adam.update.moments");
  let v = stateEntry(call, "v", "adam.update.moments");
  m = assignTo(m, add(m, mul(oneMinusBeta1(hp), sub(gI, m))));
  v = assignTo(v, add(v, mul(oneMinusBeta2(hp), sub(mul(gI, gI), v))));
  let state: Record<string, NDArray> = { ...call.state, m, v };
  try {
    let u = v;
    if (truthy(hp, "amsgrad")) {
      const vhat0 = stateEntry(call, "vhat", "adam.update.amsgrad");
      const vhat = assignTo(vhat0, maximum(vhat0, v));
      state = { ...state, vhat };
      u = vhat;
    }
    const uI = u.dtype === I ? u : astype(u, I);
    let step = stage("adam.update.step", div(stage("adam.alpha-t", alphaT(hp, t)), add(sqrt(uI), num(hp, "eps"))));
    if (truthy(hp, "adabound")) {
      const initialAlpha = call.extras["initial_alpha"];
      if (initialAlpha === undefined) {
        throw new MissingRuleAttributeError(call.path, "initial_alpha", "AdamRule", "adam.bounds");
      }
      const [lower, upper] = stage("adam.bounds", adaBoundBounds(hp, t, initialAlpha));
      step = clip(step, lower, upper);
    }
    const y = mul(step, m);
    const a = decayFactor(hp);
    const b = negEta(hp);
    const p = a === 1 ? assignTo(param, add(param, mul(b, y))) : assignTo(param, add(mul(a, param), mul(b, y)));
    return { param: p, state };
  } catch (err) {
    return withPartial(err, { param, state });
  }
}

export function adamInitState(p: NDArray, hp: Hyperparams): Record<string, NDArray> {
  const s: Record<string, NDArray> = { m: zerosLike(p), v: zerosLike(p) };
  if (truthy(hp, "amsgrad")) s["vhat"] = zerosLike(p);
  return s;
}

/** @clause adam.bounds `initial_alpha` is captured at rule creation only when adabound is on. */
export function adamRuleExtras(hp: Hyperparams): Record<string, number> {
  return truthy(hp, "adabound") ? { initial_alpha: num(hp, "alpha") } : {};
}

export const Adam: OptimizerDef = {
  name: "Adam",
  hyperparams: ADAM_HYPERPARAMS,
  positional: [
    "alpha",
    "beta1",
    "beta2",
    "eps",
    "eta",
    "weight_decay_rate",
    "amsgrad",
    "adabound",
    "final_lr",
    "gamma",
  ],
  clause: "adam.update.param",
  stateClauses: { m: "adam.update.moments", v: "adam.update.moments", vhat: "adam.update.amsgrad" },
  ruleExtras: adamRuleExtras,
  kernelScalars: ADAM_KERNEL_SCALARS,
  initState: adamInitState,
  update: adamUpdate,
};
