/**
 * RMSpropGraves (Alex Graves's RMSprop with momentum). `D` is the parameter dtype; scalars in
 * `[…]₆₄` are Python floats. The state called `g` is written `gs` below.
 *
 * @clause rmsprop-graves.update In this order, each step a numpy operation rounded to D:
 *   1. `n ← n·D(alpha)` (in place)
 *   2. `n ← n + ((D([1−alpha]₆₄)·g)·g)` (in place)
 *   3. `gs ← gs·D(alpha)` (in place)
 *   4. `gs ← gs + D([1−alpha]₆₄)·g` (in place)
 *   5. `delta ← delta·D(momentum)` (in place)
 *   6. `delta ← delta − ((D(lr)·g) / sqrt((n − (gs·gs)) + D(eps)))` (in place)
 *   7. `p ← p + delta` (in place)
 * No eps check: an eps that rounds to 0 in D is used as 0.
 * @clause rmsprop-graves.defaults `RMSpropGraves(lr=1e-4, alpha=0.95, momentum=0.9, eps=1e-4)`
 * (Python floats, positional in that order); states `n`, `g`, `delta` = zeros, in that order.
 * @clause laws.rmsprop-graves-zero-grad From a fresh state, a `+0` gradient, `lr ≥ 0` and
 * `D(eps) ≠ 0`: `n`, `gs` stay +0, `delta = +0 − (+0)/sqrt(D(eps)) = +0` and `p + (+0)` is `p`,
 * except that a `−0` element becomes `+0`. With `D(eps) = 0`, `0/0 = NaN` reaches the parameter.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { add, div, iadd, imul, isub, mul, sqrt, sub } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { type Hyperparams, num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

const oneMinusAlpha = (hp: Hyperparams): number => 1 - num(hp, "alpha");

export const RMSpropGraves: OptimizerDef = {
  name: "RMSpropGraves",
  hyperparams: [
    { name: "lr", default: 1e-4, type: "float" },
    { name: "alpha", default: 0.95, type: "float" },
    { name: "momentum", default: 0.9, type: "float" },
    { name: "eps", default: 1e-4, type: "float" },
  ],
  positional: ["lr", "alpha", "momentum", "eps"],
  clause: "rmsprop-graves.update",
  kernelScalars: {
    scalars: [
      hpScalar("lr", "rmsprop-graves.update"),
      hpScalar("alpha", "rmsprop-graves.update"),
      { name: "c", clause: "rmsprop-graves.update", role: "python", value: oneMinusAlpha },
      hpScalar("momentum", "rmsprop-graves.update"),
      hpScalar("eps", "rmsprop-graves.update"),
    ],
    states: [{ key: "n" }, { key: "g" }, { key: "delta" }],
  },
  initState: (p) => ({ n: zerosLike(p), g: zerosLike(p), delta: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    const alpha = num(hp, "alpha");
    let n = stateEntry({ state, path }, "n", "rmsprop-graves.update");
    let gs = stateEntry({ state, path }, "g", "rmsprop-graves.update");
    let delta = stateEntry({ state, path }, "delta", "rmsprop-graves.update");
    n = imul(n, alpha);
    n = iadd(n, mul(mul(oneMinusAlpha(hp), grad), grad));
    gs = imul(gs, alpha);
    gs = iadd(gs, mul(oneMinusAlpha(hp), grad));
    delta = imul(delta, num(hp, "momentum"));
    delta = isub(delta, div(mul(num(hp, "lr"), grad), sqrt(add(sub(n, mul(gs, gs)), num(hp, "eps")))));
    return { param: iadd(param, delta), state: { ...state, n, g: gs, delta } };
  },
};
