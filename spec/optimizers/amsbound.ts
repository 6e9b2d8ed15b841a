/**
 * AMSBound: Adam with both `amsgrad` and `adabound`.
 *
 * @clause amsbound.constructor Same positional order as AdaBound; sets `amsgrad = True` and
 * `adabound = True`.
 * @clause laws.amsbound-is-adam-amsgrad-adabound `AMSBound(...)` and
 * `Adam(..., amsgrad=True, adabound=True)` with the same values are bitwise the same at every step.
 */
import type { OptimizerDef } from "./types.js";
import { Adam } from "./adam.js";

export const AMSBound: OptimizerDef = {
  ...Adam,
  kernel: "Adam",
  name: "AMSBound",
  positional: ["alpha", "beta1", "beta2", "final_lr", "gamma", "eps", "eta"],
  fixed: { amsgrad: true, adabound: true },
};
