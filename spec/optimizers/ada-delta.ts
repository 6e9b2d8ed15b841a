/**
 * AdaDelta (Zeiler's ADADELTA). `D` is the parameter dtype; scalars in `[…]₆₄` are Python floats
 * computed in double before they meet an array (then rounded to D, rule N1).
 *
 * @clause adadelta.update In this order, each step a numpy operation rounded to D:
 *   1. `msg ← msg·D(rho)` (in place)
 *   2. `msg ← msg + ((D([1−rho]₆₄)·g)·g)` (in place)
 *   3. `dx = sqrt((msdx + D(eps)) / (msg + D(eps)))·g` (a new array; the *old* msdx)
 *   4. `msdx ← msdx·D(rho)` (in place)
 *   5. `msdx ← msdx + ((D([1−rho]₆₄)·dx)·dx)` (in place)
 *   6. `p ← p − dx` (in place)
 * @clause adadelta.defaults `AdaDelta(rho=0.95, eps=1e-6)` (both Python floats, positional in
 * that order); states `msg`, `msdx` = zeros of the parameter's dtype and shape.
 * @clause laws.adadelta-zero-grad From a fresh state, a `+0` gradient and `D(eps) ≠ 0`:
 * `msg` stays +0, `dx = sqrt(D(eps)/D(eps))·(+0) = +0` and `p − (+0)` is `p` bitwise (−0 included),
 * so the parameter and `msdx` are unchanged. With `D(eps) = 0` the ratio is `0/0 = NaN` and every
 * element becomes NaN.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { add, div, iadd, imul, isub, mul, sqrt } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { type Hyperparams, num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

const oneMinusRho = (hp: Hyperparams): number => 1 - num(hp, "rho");

export const AdaDelta: OptimizerDef = {
  name: "AdaDelta",
  hyperparams: [
    { name: "rho", default: 0.95, type: "float" },
    { name: "eps", default: 1e-6, type: "float" },
  ],
  positional: ["rho", "eps"],
  clause: "adadelta.update",
  kernelScalars: {
    scalars: [
      hpScalar("rho", "adadelta.update"),
      { name: "c", clause: "adadelta.update", role: "python", value: oneMinusRho },
      hpScalar("eps", "adadelta.update"),
    ],
    states: [{ key: "msg" }, { key: "msdx" }],
  },
  initState: (p) => ({ msg: zerosLike(p), msdx: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    const rho = num(hp, "rho");
    const eps = num(hp, "eps");
    let msg = stateEntry({ state, path }, "msg", "adadelta.update");
    let msdx = stateEntry({ state, path }, "msdx", "adadelta.update");
    msg = imul(msg, rho);
    msg = iadd(msg, mul(mul(oneMinusRho(hp), grad), grad));
    const dx = mul(sqrt(div(add(msdx, eps), add(msg, eps))), grad);
    msdx = imul(msdx, rho);
    msdx = iadd(msdx, mul(mul(oneMinusRho(hp), dx), dx));
    return { param: isub(param, dx), state: { ...state, msg, msdx } };
  },
};
