/**
 * One update rule updating one parameter (`UpdateRule.update(param)`).
 *
 * @clause rule.update.disabled A disabled rule returns at once: its `t`, state and parameter stay.
 * @clause rule.update.t The rule's `t` is incremented first, before anything else can fail.
 * @clause rule.update.grad-invalid Reading the gradient of a parameter whose gradient was never
 * set nor cleared fails with Chainer's RuntimeError (`Variable.grad` unavailable).
 * @clause rule.update.fp32-master With `use_fp32_update` and a float16 parameter, the rule works on
 * a float32 master copy, created once from the parameter's data (`astype(float32)`); at each update
 * the master's gradient is a new float32 copy of the parameter's gradient. After the update the
 * parameter's data becomes `master.astype(float16)` and the master's gradient is dropped.
 * @clause rule.update.lazy-state For an initialized parameter the state is created on first use
 * (`init_state` of the working parameter, so float32 under fp32 update).
 * @clause rule.update.unscale If the parameter carries a loss scale, the working gradient is divided
 * by it in place (`g ← g / D(scale)`); under fp32 update that divides the master's copy, so the
 * float16 `param.grad` stays scaled. The parameter's loss scale is not reset.
 * @clause rule.update.order Rule pre hooks, then the optimizer's update (skipped when the gradient
 * is None), then rule post hooks; hooks run after the division, with `t` already incremented, and
 * also for uninitialized parameters.
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import type { OptimizerDef } from "../optimizers/types.js";
import type { Param } from "../link.js";
import type { ComputeOverride } from "../compute.js";
import { type RuleUpdateResult, updateRuleProgram } from "./step-rule.js";
import { drivePure } from "./step-driver.js";

export type { RuleUpdateResult, RulePartial } from "./step-rule.js";

export function updateRule(
  def: OptimizerDef,
  optimizer: OptimizerState,
  path: string,
  rule0: UpdateRuleState,
  param: Param,
  compute?: ComputeOverride,
): RuleUpdateResult {
  return drivePure(updateRuleProgram(def, optimizer, path, rule0, param), compute);
}
