/**
 * NesterovAG (Nesterov's accelerated gradient, in Sutskever et al.'s reformulation). `μ` is
 * `momentum`, `D` the parameter dtype; scalars in `[…]₆₄` are Python floats (double).
 *
 * @clause nesterov-ag.update In this order, each step an in-place numpy operation rounded to D:
 *   1. `v ← v·D(μ)`
 *   2. `v ← v − D(lr)·g`
 *   3. `p ← p + D([μ·μ]₆₄)·v`
 *   4. `p ← p − D([(1+μ)·lr]₆₄)·g`
 * (`momentum * momentum * v` multiplies the two Python floats first; `(1 + momentum) * lr * grad`
 * likewise.)
 * @clause nesterov-ag.defaults `NesterovAG(lr=0.01, momentum=0.9)` (Python floats, positional in
 * that order); state `v` = zeros.
 * @clause laws.nesterov-ag-zero-grad From a fresh state, a `+0` gradient and `lr, μ ≥ 0`: `v`
 * stays `+0`; step 3 adds `+0` (a `−0` parameter element becomes `+0`) and step 4 subtracts `+0`
 * (no change). So the parameter is unchanged on values; bitwise except for −0 → +0.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { iadd, imul, isub, mul } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { num } from "../hyperparam.js";

export const NesterovAG: OptimizerDef = {
  name: "NesterovAG",
  ruleClass: "NesterovAGRule",
  hyperparams: [
    { name: "lr", default: 0.01, type: "float" },
    { name: "momentum", default: 0.9, type: "float" },
  ],
  positional: ["lr", "momentum"],
  clause: "nesterov-ag.update",
  initState: (p) => ({ v: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    const lr = num(hp, "lr");
    const mu = num(hp, "momentum");
    let v = stateEntry({ state, path }, "v", "nesterov-ag.update");
    v = imul(v, mu);
    v = isub(v, mul(lr, grad));
    let p = iadd(param, mul(mu * mu, v));
    p = isub(p, mul((1 + mu) * lr, grad));
    return { param: p, state: { ...state, v } };
  },
};
