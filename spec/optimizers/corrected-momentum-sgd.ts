/**
 * CorrectedMomentumSGD (momentum correction of Goyal et al., their equation (9)): the learning rate
 * is applied when the velocity is added, not inside the velocity.
 *
 * @clause corrected-momentum-sgd.update In this order, each step an in-place numpy operation
 * rounded to the state's / parameter's dtype D:
 *   1. `v ← v·D(momentum)`
 *   2. `v ← v − g`
 *   3. `p ← p + D(lr)·v` (the product rounded to D first)
 * @clause corrected-momentum-sgd.defaults `CorrectedMomentumSGD(lr=0.01, momentum=0.9)` (Python
 * floats, positional in that order); state `v` = zeros.
 * @clause laws.corrected-momentum-sgd-zero-grad From a fresh state, a `+0` gradient and `lr ≥ 0`:
 * `v = (+0)·D(momentum) − (+0) = +0` and `p + D(lr)·(+0) = p + (+0)`, which is `p` bitwise except
 * that a `−0` element becomes `+0` (IEEE `−0 + (+0) = +0`). So the law holds on values, not bits.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { iadd, imul, isub, mul } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

export const CorrectedMomentumSGD: OptimizerDef = {
  name: "CorrectedMomentumSGD",
  hyperparams: [
    { name: "lr", default: 0.01, type: "float" },
    { name: "momentum", default: 0.9, type: "float" },
  ],
  positional: ["lr", "momentum"],
  clause: "corrected-momentum-sgd.update",
  kernelScalars: {
    scalars: [hpScalar("lr", "corrected-momentum-sgd.update"), hpScalar("momentum", "corrected-momentum-sgd.update")],
    states: [{ key: "v" }],
  },
  initState: (p) => ({ v: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    let v = stateEntry({ state, path }, "v", "corrected-momentum-sgd.update");
    v = imul(v, num(hp, "momentum"));
    v = isub(v, grad);
    return { param: iadd(param, mul(num(hp, "lr"), v)), state: { ...state, v } };
  },
};
