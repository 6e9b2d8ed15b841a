/**
 * AdaGrad. `D` is the parameter dtype.
 *
 * @clause adagrad.update In this order, each step a numpy operation rounded to D:
 *   1. `h ← h + (g·g)` (in place)
 *   2. `p ← p − ((D(lr)·g) / (sqrt(h) + D(eps)))` (in place; the right-hand side first)
 * An eps that rounds to 0 in D (float16 without fp32 update, eps < 2^-25) is used as 0 silently:
 * Chainer has no check here.
 * @clause adagrad.defaults `AdaGrad(lr=0.001, eps=1e-8)` (Python floats, positional in that order);
 * state `h` = zeros of the parameter's dtype and shape.
 * @clause laws.adagrad-zero-grad From a fresh state, a `+0` gradient, `lr ≥ 0` and `D(eps) ≠ 0`:
 * `h` stays +0, the step is `(D(lr)·(+0)) / D(eps) = +0` and `p − (+0)` is `p` bitwise (−0
 * included). With `D(eps) = 0` (the default eps in float16 without fp32 update) the step is
 * `0/0 = NaN` and the parameter becomes NaN.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { add, div, iadd, isub, mul, sqrt } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

export const AdaGrad: OptimizerDef = {
  name: "AdaGrad",
  hyperparams: [
    { name: "lr", default: 0.001, type: "float" },
    { name: "eps", default: 1e-8, type: "float" },
  ],
  positional: ["lr", "eps"],
  clause: "adagrad.update",
  kernelScalars: {
    scalars: [hpScalar("lr", "adagrad.update"), hpScalar("eps", "adagrad.update")],
    states: [{ key: "h" }],
  },
  initState: (p) => ({ h: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    let h = stateEntry({ state, path }, "h", "adagrad.update");
    h = iadd(h, mul(grad, grad));
    const step = div(mul(num(hp, "lr"), grad), add(sqrt(h), num(hp, "eps")));
    return { param: isub(param, step), state: { ...state, h } };
  },
};
