/**
 * SGD.
 *
 * @clause sgd.update `p ← p − D(lr)·g` (in place: `lr·g` rounded to D, then the subtraction rounded
 * to D).
 * @clause sgd.defaults `lr = 0.01`; no state.
 * @clause laws.sgd-zero-grad A `+0` gradient leaves the parameter bitwise unchanged (−0 included):
 * the step is `D(lr)·(+0) = +0` for `lr ≥ 0` and `p − (+0)` is `p`.
 */
import type { OptimizerDef } from "./types.js";
import { isub, mul } from "../numerics/np.js";
import { num } from "../hyperparam.js";
import { hpScalar } from "./kernel-scalars.js";

export const SGD: OptimizerDef = {
  name: "SGD",
  hyperparams: [{ name: "lr", default: 0.01, type: "float" }],
  positional: ["lr"],
  clause: "sgd.update",
  kernelScalars: { scalars: [hpScalar("lr", "sgd.update")], states: [] },
  initState: () => ({}),
  update({ param, grad, state, hp }) {
    return { param: isub(param, mul(num(hp, "lr"), grad)), state };
  },
};
