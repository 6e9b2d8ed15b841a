/**
 * AdamW: Chainer's AdamW is plain Adam with its decoupled weight decay (`eta`, `weight_decay_rate`);
 * the decay still defaults to 0.
 *
 * @clause adamw.constructor `AdamW(alpha, beta1, beta2, eps, eta, weight_decay_rate)`; `amsgrad`
 * and `adabound` are False. The update is `adam.update.*`.
 * @clause laws.adamw-zero-decay-is-adam `AdamW` with `weight_decay_rate = 0` (its default) is
 * bitwise `Adam` with the same `alpha, beta1, beta2, eps, eta`; with any `weight_decay_rate` it is
 * bitwise `Adam` with that rate.
 */
import type { OptimizerDef } from "./types.js";
import { Adam } from "./adam.js";

export const AdamW: OptimizerDef = {
  ...Adam,
  kernel: "Adam",
  name: "AdamW",
  positional: ["alpha", "beta1", "beta2", "eps", "eta", "weight_decay_rate"],
  fixed: { amsgrad: false, adabound: false },
};
