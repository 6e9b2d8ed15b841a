/**
 * The step program of `GradientMethod.update(lossfun=None)` (the normative text is in `update.ts`).
 * It walks the parameters once, collecting the new rules and parameters into one fresh table each,
 * so that a step costs O(parameters), not O(parameters²).
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import type { OptimizerDef } from "../optimizers/types.js";
import { type Link, type Param, paramOrder } from "../link.js";
import { InvalidArgumentError, NotSetUpError, OptspecError } from "../errors.js";
import { pyFloatRepr } from "../numerics/py-repr.js";
import { optimizerDef } from "./create.js";
import { updateLossScale } from "./loss-scale.js";
import type { LossFunction } from "./loss.js";
import { callHooksProgram, reallocateProgram, type Warn } from "./step-hooks.js";
import { type RulePartial, updateRuleProgram } from "./step-rule.js";
import type { StepAnswers, StepProgram } from "./step-requests.js";
import { copyTable } from "./table.js";

/** @clause loss-scale.dynamic.check */
function* checkNanInGrads(state: OptimizerState, warn?: Warn): StepProgram<OptimizerState> {
  if (!state.lossScale.dynamic) return { ...state, lossScale: { ...state.lossScale, isnan: false } };
  const link = state.target as Link;
  const grads: { path: string; grad: NonNullable<Param["grad"]> }[] = [];
  let missing: string | null = null;
  for (const path of paramOrder(link.structure)) {
    const g = (link.params[path] as Param).grad;
    if (g === null) {
      missing = path;
      break;
    }
    grads.push({ path, grad: g });
  }
  // The check stops at the first missing gradient, after warning about the earlier ones.
  const finite = grads.length === 0 ? [] : ((yield { op: "allFinite", grads }) as StepAnswers["allFinite"]);
  let isnan = false;
  for (let i = 0; i < grads.length; i++) {
    if (finite[i] === true) continue;
    isnan = true;
    const ls = state.lossScale.scale;
    warn?.(
      `Non finite number found in param.grad of ${(grads[i] as { path: string }).path} (iteration: ${state.t}, loss_scale: ${ls === null ? "None" : pyFloatRepr(ls)})`,
    );
  }
  if (missing !== null) {
    throw new InvalidArgumentError(
      `update: ${missing} has no gradient to check for non-finite values (uninitialized parameter under dynamic loss scaling)`,
      "loss-scale.dynamic.check",
      { type: "TypeError", str: "ufunc 'isfinite' not supported for the input types" },
    );
  }
  return { ...state, lossScale: { ...state.lossScale, isnan, isnanEver: state.lossScale.isnanEver || isnan } };
}

/** Every rule updates its parameter in Chainer's order; one fresh table of rules and of parameters. */
function* updateRules(
  def: OptimizerDef,
  state: OptimizerState,
  failed: (partial: OptimizerState) => void,
): StepProgram<OptimizerState> {
  const link = state.target as Link;
  const rules: Record<string, UpdateRuleState> = copyTable(state.rules, paramOrder(link.structure));
  const params: Record<string, Param> = copyTable(link.params, paramOrder(link.structure));
  const current = (): OptimizerState => ({ ...state, rules, target: { structure: link.structure, params } });
  for (const path of paramOrder(link.structure)) {
    const rule = rules[path];
    if (rule === undefined) continue; // a parameter without a rule is skipped, as Chainer does
    try {
      // Rules see the optimizer as it was when the rule loop began, plus the t increment (hooks read only t and hyperparameters).
      const r = yield* updateRuleProgram(def, state, path, rule, params[path] as Param);
      rules[path] = r.rule;
      params[path] = r.param;
    } catch (err) {
      if (err instanceof OptspecError && err.partial !== undefined) {
        const p = err.partial as RulePartial;
        rules[path] = p.rule;
        params[path] = p.param;
      }
      failed(current());
      throw err;
    }
  }
  return current();
}

/**
 * @clause update.sequence The program: returns the new state; a failure carries the partial state
 * (`update.partial`), and `onPartial` (when given) receives it for every error, Chainer's in-place
 * effects up to the failure.
 */
export function* updateProgram(
  state: OptimizerState,
  lossfun?: LossFunction,
  warn?: Warn,
  onPartial?: (s: OptimizerState) => void,
): StepProgram<OptimizerState> {
  if (state.hooks === null || state.target === null) throw new NotSetUpError("update");
  const def = optimizerDef(state.optimizer);
  let s = state;
  try {
    if (lossfun !== undefined) {
      s = {
        ...s,
        target: (yield {
          op: "backward",
          link: s.target as Link,
          lossfun,
          lossScale: s.lossScale.scale,
          useCleargrads: s.useCleargrads,
        }) as StepAnswers["backward"],
      };
    }
    s = { ...s, target: yield* reallocateProgram(s.target as Link) };
    s = yield* checkNanInGrads(s, warn);
    s = yield* callHooksProgram(s, "pre", warn);
    s = { ...s, t: s.t + 1 };
    if (!(s.lossScale.dynamic && s.lossScale.isnan)) {
      s = yield* updateRules(def, s, (partial) => {
        s = partial;
      });
    }
    s = { ...s, target: yield* reallocateProgram(s.target as Link) };
    s = yield* callHooksProgram(s, "post", warn);
    s = { ...s, lossScale: updateLossScale(s.lossScale) };
    return s;
  } catch (err) {
    if (err instanceof OptspecError) err.partial = s;
    onPartial?.(s);
    throw err;
  }
}
