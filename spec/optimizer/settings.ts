/**
 * Counters, flags, hyperparameters and gradients: the small operations of the state machine.
 *
 * @clause optimizer.new-epoch `new_epoch(auto=False)`: with `auto` while `use_auto_new_epoch` is
 * False, or without `auto` while it is True, fails; otherwise `epoch += 1`. Works before setup.
 * @clause optimizer.new-epoch.auto Those two misuses fail with RuntimeError, each with Chainer's own
 * message (an updater calling with `auto` on a manual optimizer, or a duplicate manual call).
 * @clause optimizer.fp32-update `use_fp32_update(flag=True)` stores the flag; if set up, every
 * existing rule gets fp32 update turned ON whatever the flag (Chainer passes no flag on), so
 * `use_fp32_update(False)` after setup enables it (kept as Chainer does). Rules created by a later
 * setup get it only when the flag is truthy.
 * @clause rule.enabled `enabled` on a rule: a disabled rule skips its update (`rule.update.disabled`)
 * but optimizer-level per-parameter hooks still see its parameter.
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import { InvalidArgumentError, NewEpochMisuseError, NotSetUpError } from "../errors.js";
import type { HyperValue } from "../hyperparam.js";
import { checkHyperValue } from "../hyperparam.js";
import { checkState, optimizerDef } from "./create.js";
import { InvalidValueError } from "../errors.js";
import { arrayProblem, describeValue } from "../invariants.js";
import { deepFreeze, ownArray } from "../plain-data.js";
import type { Link, Param } from "../link.js";
import { type NDArray, sameShape } from "../ndarray.js";
import { alphaT } from "../optimizers/adam.js";

/** @clause optimizer.new-epoch */
export function newEpoch(state: OptimizerState, auto = false): OptimizerState {
  checkState(state, "newEpoch");
  if (typeof auto !== "boolean")
    throw new InvalidArgumentError(
      `newEpoch: auto must be true or false, got ${describeValue(auto)}`,
      "optimizer.new-epoch",
    );
  if (auto && !state.useAutoNewEpoch) throw new NewEpochMisuseError(true);
  if (!auto && state.useAutoNewEpoch) throw new NewEpochMisuseError(false);
  return deepFreeze({ ...state, epoch: state.epoch + 1 });
}

/** The state holds flags as booleans (`state.plain-data`); anything else is refused, not coerced. */
function checkFlag(what: string, value: unknown, clause: string): void {
  if (typeof value !== "boolean")
    throw new InvalidArgumentError(`${what}: expected true or false, got ${describeValue(value)}`, clause);
}

export function setUseAutoNewEpoch(state: OptimizerState, value: boolean): OptimizerState {
  checkFlag("setUseAutoNewEpoch", value, "optimizer.new-epoch");
  return deepFreeze({ ...state, useAutoNewEpoch: value });
}

/** @clause optimizer.fp32-update */
export function useFp32Update(state: OptimizerState, flag = true): OptimizerState {
  checkFlag("useFp32Update", flag, "optimizer.fp32-update");
  const rules: Record<string, UpdateRuleState> = {};
  for (const [path, r] of Object.entries(state.rules)) rules[path] = { ...r, useFp32Update: true };
  return deepFreeze({ ...state, useFp32Update: flag, rules: state.target === null ? state.rules : rules });
}

export function useCleargrads(state: OptimizerState, flag = true): OptimizerState {
  checkFlag("useCleargrads", flag, "update.lossfun");
  return deepFreeze({ ...state, useCleargrads: flag });
}

function checkHyper(state: OptimizerState, name: string, value: unknown): void {
  const def = optimizerDef(state.optimizer);
  const h = def.hyperparams.find((d) => d.name === name);
  const err = checkHyperValue(name, value, h?.type);
  if (err !== null) throw new InvalidArgumentError(`setHyperparam: ${err}`, "hyperparam.override");
}

/** @clause hyperparam.inherit Setting an optimizer hyperparameter affects every rule without its own value. */
export function setHyperparam(state: OptimizerState, name: string, value: HyperValue): OptimizerState {
  checkHyper(state, name, value);
  return deepFreeze({ ...state, hyperparam: { ...state.hyperparam, [name]: value } });
}

function ruleOf(state: OptimizerState, path: string, what: string): UpdateRuleState {
  if (state.hooks === null) throw new NotSetUpError(what);
  const r = state.rules[path];
  if (r === undefined) throw new InvalidArgumentError(`${what}: no parameter ${path} in the target`, "optimizer.setup");
  return r;
}

function withRule(state: OptimizerState, path: string, rule: UpdateRuleState): OptimizerState {
  return deepFreeze({ ...state, rules: { ...state.rules, [path]: rule } });
}

/** @clause hyperparam.override */
export function setRuleHyperparam(
  state: OptimizerState,
  path: string,
  name: string,
  value: HyperValue,
): OptimizerState {
  const r = ruleOf(state, path, "setRuleHyperparam");
  checkHyper(state, name, value);
  return withRule(state, path, { ...r, hyperparam: { ...r.hyperparam, [name]: value } });
}

/** @clause hyperparam.override */
export function deleteRuleHyperparam(state: OptimizerState, path: string, name: string): OptimizerState {
  const r = ruleOf(state, path, "deleteRuleHyperparam");
  if (!(name in r.hyperparam))
    throw new InvalidArgumentError(
      `deleteRuleHyperparam: the rule of ${path} has no own ${name}`,
      "hyperparam.override",
      { type: "AttributeError", str: name },
    );
  const { [name]: _removed, ...rest } = r.hyperparam;
  return withRule(state, path, { ...r, hyperparam: rest });
}

/** @clause rule.enabled */
export function setEnabled(state: OptimizerState, path: string, enabled: boolean): OptimizerState {
  const rule = ruleOf(state, path, "setEnabled");
  checkFlag("setEnabled", enabled, "rule.enabled");
  return withRule(state, path, { ...rule, enabled });
}

/** Chainer's `link.enable_update()` / `disable_update()`: every rule at once. */
export function setAllEnabled(state: OptimizerState, enabled: boolean): OptimizerState {
  checkFlag("setAllEnabled", enabled, "rule.enabled");
  const rules: Record<string, UpdateRuleState> = {};
  for (const [p, r] of Object.entries(state.rules)) rules[p] = { ...r, enabled };
  return deepFreeze({ ...state, rules });
}

/**
 * Set gradients by hand (`param.grad = g`), as a copy; `null` removes the gradient. The loss scale
 * a parameter carries is left as it is.
 * @clause link.grad.set A gradient must be a valid NDArray (`invariants.array`) of the parameter's
 * dtype and shape; the state keeps a copy (`state.no-aliasing`).
 */
export function setGrads(state: OptimizerState, grads: Readonly<Record<string, NDArray | null>>): OptimizerState {
  checkState(state, "setGrads");
  if (state.target === null) throw new NotSetUpError("setGrads");
  if (typeof grads !== "object" || grads === null) {
    throw new InvalidValueError(
      "setGrads",
      { at: "grads", expected: "a record of gradients by parameter path", got: describeValue(grads) },
      "link.grad.set",
    );
  }
  const params: Record<string, Param> = { ...state.target.params };
  for (const [path, g] of Object.entries(grads)) {
    const p = params[path];
    if (p === undefined)
      throw new InvalidArgumentError(`setGrads: no parameter ${path} in the target`, "link.grad.set");
    if (g !== null) {
      const bad = arrayProblem(g, `the gradient of ${path}`);
      if (bad !== null) throw new InvalidValueError("setGrads", bad, "link.grad.set");
      if (g.dtype !== p.dtype)
        throw new InvalidArgumentError(
          `setGrads: the gradient of ${path} is ${g.dtype}, the parameter is ${p.dtype}`,
          "link.grad.set",
        );
      if (p.data !== null && !sameShape(g.shape, p.data.shape)) {
        throw new InvalidArgumentError(
          `setGrads: the gradient of ${path} has shape [${g.shape.join(", ")}], the parameter [${p.data.shape.join(", ")}]`,
          "link.grad.set",
        );
      }
    }
    params[path] = { ...p, grad: g === null ? null : ownArray(g), gradValid: true };
  }
  const target: Link = { structure: state.target.structure, params };
  return deepFreeze({ ...state, target });
}

/** Clear every gradient of the target (`target.cleargrads()`). */
export function clearGrads(state: OptimizerState): OptimizerState {
  if (state.target === null) throw new NotSetUpError("clearGrads");
  const params: Record<string, Param> = {};
  for (const [path, p] of Object.entries(state.target.params)) params[path] = { ...p, grad: null, gradValid: true };
  return deepFreeze({ ...state, target: { structure: state.target.structure, params } });
}

/** `Adam.alpha_t` at optimizer level, from the optimizer's own `t`. */
export function optimizerAlphaT(state: OptimizerState): number {
  return alphaT(state.hyperparam, state.t);
}
