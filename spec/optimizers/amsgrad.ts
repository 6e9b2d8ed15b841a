/**
 * AMSGrad: Adam with `amsgrad = True`.
 *
 * @clause amsgrad.constructor `AMSGrad(alpha, beta1, beta2, eps, eta)` sets `amsgrad = True`,
 * `adabound = False`. The update is `adam.update.*` with `adam.update.amsgrad`.
 * @clause laws.amsgrad-is-adam-amsgrad `AMSGrad(alpha, beta1, beta2, eps, eta)` and
 * `Adam(alpha, beta1, beta2, eps, eta, amsgrad=True)` produce bitwise the same parameters, states
 * and rule attributes at every step, in every dtype.
 */
import type { OptimizerDef } from "./types.js";
import { Adam } from "./adam.js";

export const AMSGrad: OptimizerDef = {
  ...Adam,
  kernel: "Adam",
  name: "AMSGrad",
  positional: ["alpha", "beta1", "beta2", "eps", "eta"],
  fixed: { amsgrad: true, adabound: false },
};
