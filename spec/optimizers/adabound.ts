/**
 * AdaBound: Adam with `adabound = True`.
 *
 * @clause adabound.constructor `AdaBound(alpha, beta1, beta2, final_lr, gamma, eps, eta)`: note
 * `final_lr` and `gamma` come before `eps`, unlike Adam. Sets `adabound = True`, `amsgrad = False`.
 * The update is `adam.update.*` with `adam.bounds`.
 * @clause laws.adabound-is-adam-adabound `AdaBound(alpha, beta1, beta2, final_lr, gamma, eps, eta)`
 * and `Adam(..., adabound=True)` with the same values produce bitwise the same parameters, states
 * and `initial_alpha` at every step, in every dtype.
 */
import type { OptimizerDef } from "./types.js";
import { Adam } from "./adam.js";

export const AdaBound: OptimizerDef = {
  ...Adam,
  kernel: "Adam",
  name: "AdaBound",
  positional: ["alpha", "beta1", "beta2", "final_lr", "gamma", "eps", "eta"],
  fixed: { amsgrad: false, adabound: true },
};
