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
import { type Hyperparams, num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

/** `[μ·μ]₆₄` and `[(1+μ)·lr]₆₄`, read by the update and by every backend. */
const momentumSquared = (hp: Hyperparams): number => num(hp, "momentum") * num(hp, "momentum");
const lookaheadLr = (hp: Hyperparams): number => (1 + num(hp, "momentum")) * num(hp, "lr");

export const NesterovAG: OptimizerDef = {
  name: "NesterovAG",
  hyperparams: [
    { name: "lr", default: 0.01, type: "float" },
    { name: "momentum", default: 0.9, type: "float" },
  ],
  positional: ["lr", "momentum"],
  clause: "nesterov-ag.update",
  kernelScalars: {
    scalars: [
      hpScalar("lr", "nesterov-ag.update"),
      hpScalar("momentum", "nesterov-ag.update"),
      { name: "momentum_sq", clause: "nesterov-ag.update", role: "python", value: momentumSquared },
      { name: "lookahead_lr", clause: "nesterov-ag.update", role: "python", value: lookaheadLr },
    ],
    states: [{ key: "v" }],
  },
  initState: (p) => ({ v: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    const lr = num(hp, "lr");
    const mu = num(hp, "momentum");
    let v = stateEntry({ state, path }, "v", "nesterov-ag.update");
    v = imul(v, mu);
    v = isub(v, mul(lr, grad));
    let p = iadd(param, mul(momentumSquared(hp), v));
    p = isub(p, mul(lookaheadLr(hp), grad));
    return { param: p, state: { ...state, v } };
  },
};
