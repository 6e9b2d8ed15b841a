/**
 * MomentumSGD.
 *
 * @clause momentum-sgd.update
 *   1. `v ← v·D(momentum)`
 *   2. `v ← v − D(lr)·g`
 *   3. `p ← p + v`
 * each step an in-place numpy operation rounded to the state's / parameter's dtype.
 * @clause momentum-sgd.defaults `lr = 0.01`, `momentum = 0.9`; state `v` = zeros.
 * @clause laws.momentum-sgd-zero-grad From a fresh state, a `+0` gradient and `lr ≥ 0`: `v` stays
 * `+0` and `p + (+0)` is `p` on values, but not bitwise: a `−0` element becomes `+0`.
 * @clause laws.momentum-sgd-moves-with-momentum With a non-zero velocity `v` and a zero gradient
 * the parameter still moves: `v' = v·D(momentum)`, `p' = p + v'` (in D), so `p' ≠ p` wherever
 * `|v'|` exceeds half an ulp of `p`, with `p' − p ≈ momentum·v`.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { iadd, imul, isub, mul } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

export const MomentumSGD: OptimizerDef = {
  name: "MomentumSGD",
  hyperparams: [
    { name: "lr", default: 0.01, type: "float" },
    { name: "momentum", default: 0.9, type: "float" },
  ],
  positional: ["lr", "momentum"],
  clause: "momentum-sgd.update",
  kernelScalars: {
    scalars: [hpScalar("lr", "momentum-sgd.update"), hpScalar("momentum", "momentum-sgd.update")],
    states: [{ key: "v" }],
  },
  initState: (p) => ({ v: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    let v = stateEntry({ state, path }, "v", "momentum-sgd.update");
    v = imul(v, num(hp, "momentum"));
    v = isub(v, mul(num(hp, "lr"), grad));
    return { param: iadd(param, v), state: { ...state, v } };
  },
};
