/**
 * `GradientMethod.update(lossfun=None, *args)`.
 *
 * @clause update.lossfun With a loss function: the loss is computed first (forward), then the
 * gradients are cleared (`cleargrads`, or zero-filled after `use_cleargrads(False)`), then backward
 * runs with the optimizer's loss scale: every parameter it reaches gets its gradient accumulated and
 * carries that loss scale.
 * @clause update.sequence Then: zero gradients for initialized parameters without one; the
 * dynamic-scaling check; the optimizer's pre hooks; `t += 1`; every rule updates its parameter in
 * Chainer's order unless dynamic scaling found a non-finite gradient; zero gradients again; the
 * post hooks; the loss-scale adjustment.
 * @clause update.zero-grad An initialized parameter that got no gradient is updated with a zero
 * gradient, not skipped: its state still evolves.
 * @clause update.partial A failure inside the update propagates with Chainer's partial effect
 * recorded on the error (`t` already incremented, earlier parameters already updated); the state
 * passed in is unchanged.
 */
import type { OptimizerState } from "../state.js";
import type { Warn } from "./step-hooks.js";
import type { ComputeOverride } from "../compute.js";
import type { LossFunction } from "./loss.js";
import { updateProgram } from "./step-update.js";
import { drivePure } from "./step-driver.js";
import { checkState } from "./create.js";
import { InvalidArgumentError } from "../errors.js";
import { describeValue } from "../invariants.js";
import { deepFreeze } from "../plain-data.js";

export type { Loss, LossFunction } from "./loss.js";

export interface UpdateOptions {
  readonly warn?: Warn;
  /** Kernels that replace the spec's arithmetic (a backend); the state machine stays the spec's. */
  readonly compute?: ComputeOverride;
}

/** @clause update.sequence */
export function update(state: OptimizerState, lossfun?: LossFunction, options: UpdateOptions = {}): OptimizerState {
  checkState(state, "update");
  if (lossfun !== undefined && typeof lossfun !== "function") {
    throw new InvalidArgumentError(
      `update: lossfun must be a function (link) => loss, or omitted; got ${describeValue(lossfun)}`,
      "update.lossfun",
    );
  }
  return deepFreeze(drivePure(updateProgram(state, lossfun, options.warn), options.compute));
}
