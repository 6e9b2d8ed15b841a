/**
 * MomentumSGD.
 *
 * @clause momentum-sgd.update
 *   1. `v ← v·D(momentum)`
 *   2. `v ← v − D(lr)·g`
 *   3. `p ← p + v`
 * each step an in-place numpy operation rounded to the state's / parameter's dtype.
 * @clause momentum-sgd.defaults `lr = 0.01`, `momentum = 0.9`; state `v` = zeros.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { iadd, imul, isub, mul } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { num } from "../hyperparam.js";

export const MomentumSGD: OptimizerDef = {
  name: "MomentumSGD",
  ruleClass: "MomentumSGDRule",
  hyperparams: [
    { name: "lr", default: 0.01, type: "float" },
    { name: "momentum", default: 0.9, type: "float" },
  ],
  positional: ["lr", "momentum"],
  clause: "momentum-sgd.update",
  initState: (p) => ({ v: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    let v = stateEntry({ state, path }, "v", "momentum-sgd.update");
    v = imul(v, num(hp, "momentum"));
    v = isub(v, mul(num(hp, "lr"), grad));
    return { param: iadd(param, v), state: { ...state, v } };
  },
};
