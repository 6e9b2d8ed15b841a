/**
 * RMSprop (Tieleman & Hinton), with Chainer's `eps_inside_sqrt` option. `D` is the parameter
 * dtype (the gradient's dtype: float32 under fp32 update); scalars in `[…]₆₄` are Python floats.
 *
 * @clause rmsprop.eps-check First, before the state is touched: `e = D(eps)`, a numpy scalar of the
 * gradient's dtype. If `eps != 0` and `e == 0`, Chainer raises
 * `ValueError('eps of RMSprop optimizer is too small for <dtype> (<repr(eps)>)')`, e.g.
 * `eps of RMSprop optimizer is too small for float16 (1e-08)`: the default eps fails on float16
 * parameters without fp32 update. `eps = 0` itself is accepted on the CPU.
 * @clause rmsprop.update Then, each step a numpy operation rounded to D:
 *   1. `ms ← ms·D(alpha)` (in place)
 *   2. `ms ← ms + ((D([1−alpha]₆₄)·g)·g)` (in place)
 *   3. `denom = sqrt(ms + e)` if `eps_inside_sqrt` is truthy, else `sqrt(ms) + e`
 *   4. `p ← p − ((D(lr)·g) / denom)` (in place; the right-hand side first)
 * `e` is a numpy scalar, not a Python float: for a 0-d parameter `ms + e` stays in D (rule N5 does
 * not widen it), while `lr·g` is computed in float64.
 * @clause rmsprop.defaults `RMSprop(lr=0.01, alpha=0.99, eps=1e-8, eps_inside_sqrt=False)`
 * positional in that order (`eps_inside_sqrt` a bool); state `ms` = zeros.
 * @clause laws.rmsprop-zero-grad From a fresh state, a `+0` gradient, `lr ≥ 0` and `D(eps) ≠ 0`:
 * `ms` stays +0, the step is `(+0)/denom = +0` and `p − (+0)` is `p` bitwise (−0 included).
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { add, div, iadd, imul, isub, mul, npScalar, sqrt } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { type Hyperparams, num, truthy } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";
import { roundTo } from "../numerics/dtype.js";

const oneMinusAlpha = (hp: Hyperparams): number => 1 - num(hp, "alpha");
import { EpsTooSmallError } from "../errors.js";
import { pyFloatRepr } from "../numerics/py-repr.js";

export const RMSprop: OptimizerDef = {
  name: "RMSprop",
  hyperparams: [
    { name: "lr", default: 0.01, type: "float" },
    { name: "alpha", default: 0.99, type: "float" },
    { name: "eps", default: 1e-8, type: "float" },
    { name: "eps_inside_sqrt", default: false, type: "bool" },
  ],
  positional: ["lr", "alpha", "eps", "eps_inside_sqrt"],
  clause: "rmsprop.update",
  kernelScalars: {
    scalars: [
      hpScalar("lr", "rmsprop.update"),
      hpScalar("alpha", "rmsprop.update"),
      { name: "c", clause: "rmsprop.update", role: "python", value: oneMinusAlpha },
      // `e = D(eps)` is a numpy scalar of the dtype: always rounded, never widening.
      hpScalar("eps", "rmsprop.update", "dtype"),
      {
        name: "eps_inside_sqrt",
        clause: "rmsprop.update",
        role: "flag",
        value: (hp) => (truthy(hp, "eps_inside_sqrt") ? 1 : 0),
      },
    ],
    states: [{ key: "ms" }],
    refuse: (hp, dtype) => {
      const eps = num(hp, "eps");
      return eps !== 0 && roundTo(dtype, eps) === 0
        ? `eps of RMSprop optimizer is too small for ${dtype} (${pyFloatRepr(eps)}); the spec raises here`
        : null;
    },
  },
  initState: (p) => ({ ms: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    const epsHp = num(hp, "eps");
    const e = npScalar(grad.dtype, epsHp);
    if (epsHp !== 0 && e.data[0] === 0) {
      const str = `eps of RMSprop optimizer is too small for ${grad.dtype} (${pyFloatRepr(epsHp)})`;
      throw new EpsTooSmallError(
        "RMSprop",
        grad.dtype,
        pyFloatRepr(epsHp),
        { type: "ValueError", str },
        "rmsprop.eps-check",
      );
    }
    const alpha = num(hp, "alpha");
    let ms = stateEntry({ state, path }, "ms", "rmsprop.update");
    ms = imul(ms, alpha);
    ms = iadd(ms, mul(mul(oneMinusAlpha(hp), grad), grad));
    const denom = truthy(hp, "eps_inside_sqrt") ? sqrt(add(ms, e)) : add(sqrt(ms), e);
    return { param: isub(param, div(mul(num(hp, "lr"), grad), denom)), state: { ...state, ms } };
  },
};
