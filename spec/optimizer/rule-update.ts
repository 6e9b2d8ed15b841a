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
import type { OptimizerDef, UpdateResult } from "../optimizers/types.js";
import type { Param } from "../link.js";
import type { HookEntry, Json } from "../hooks/types.js";
import { getHookKind } from "../hooks/registry.js";
import { ruleView } from "./hooks.js";
import { GradUnavailableError, HookArityError, HookNotCallableError, OptspecError } from "../errors.js";
import { astype, type NDArray } from "../ndarray.js";
import { idiv } from "../numerics/np.js";
import { effectiveHyperparams } from "../hyperparam.js";
import { type ComputeOverride, runPerParam, runUpdate } from "../compute.js";

export interface RuleUpdateResult {
  readonly rule: UpdateRuleState;
  readonly param: Param;
}

/** The partial effect of a failed rule update, attached to the error. */
export interface RulePartial {
  readonly rule: UpdateRuleState;
  readonly param: Param;
}

function runRuleHooks(
  hooks: readonly HookEntry[],
  rule: UpdateRuleState,
  work: Param,
  path: string,
  optimizer: OptimizerState,
  compute: ComputeOverride | undefined,
): { rule: UpdateRuleState; work: Param; hooks: HookEntry[] } {
  let w = work;
  const out: HookEntry[] = [];
  for (const entry of hooks) {
    const kind = getHookKind(entry.hook.kind);
    if (kind === undefined) throw new HookNotCallableError(`no hook kind ${JSON.stringify(entry.hook.kind)} is registered`);
    if (!kind.perParam) throw new HookArityError(kind.kind, path);
    const r = runPerParam(compute, kind, { args: entry.hook.args, state: entry.state, rule: ruleView(path, rule, optimizer), param: w, path });
    if (r.grad !== w.grad) w = { ...w, grad: r.grad };
    out.push(r.state === undefined ? entry : { ...entry, state: r.state as Json });
  }
  return { rule, work: w, hooks: out };
}

export function updateRule(
  def: OptimizerDef,
  optimizer: OptimizerState,
  path: string,
  rule0: UpdateRuleState,
  param: Param,
  compute?: ComputeOverride,
): RuleUpdateResult {
  if (!rule0.enabled) return { rule: rule0, param };
  let rule: UpdateRuleState = { ...rule0, t: rule0.t + 1 };
  const initialized = param.data !== null;
  const lossScale = param.lossScale;
  const fp32 = rule.useFp32Update && param.dtype === "float16";
  let work: Param = param;
  let out: Param = param;
  const fail = (err: unknown, partial: RulePartial): never => {
    if (err instanceof OptspecError) err.partial = partial;
    throw err;
  };
  if (fp32) {
    let master = rule.fp32Param;
    let uninitMaster = rule.fp32ParamUninitialized ?? false;
    if (master === null && !uninitMaster) {
      if (initialized) master = astype(param.data as NDArray, "float32");
      else uninitMaster = true;
      rule = { ...rule, fp32Param: master, fp32ParamUninitialized: uninitMaster };
    }
    // Chainer bug kept: a master created uninitialized is never initialized later.
    const masterInit = master !== null;
    work = {
      dtype: "float32",
      shape: master?.shape ?? null,
      data: master,
      grad: masterInit && initialized && param.grad !== null ? astype(param.grad, "float32") : null,
      gradValid: initialized ? param.gradValid : false,
      lossScale: null,
    };
  }
  try {
    if (initialized && work.data !== null) {
      if (rule.state === null) rule = { ...rule, state: def.initState(work.data, effectiveHyperparams(optimizer.hyperparam, rule.hyperparam)) };
      if (lossScale !== null && work.grad !== null) {
        work = { ...work, grad: idiv(work.grad, lossScale) };
        if (!fp32) out = { ...out, grad: work.grad };
      }
    }
    const pre = runRuleHooks(rule.hooks.pre, rule, work, path, optimizer, compute);
    work = pre.work;
    rule = { ...rule, hooks: { pre: pre.hooks, post: rule.hooks.post } };
    if (!fp32) out = { ...out, grad: work.grad };
    if (work.grad === null && !work.gradValid) throw new GradUnavailableError(path);
    if (work.grad !== null && work.data !== null) {
      const hp = effectiveHyperparams(optimizer.hyperparam, rule.hyperparam);
      let r: UpdateResult;
      try {
        r = runUpdate(compute, def, { path, param: work.data, grad: work.grad, state: rule.state ?? {}, hp, t: rule.t, extras: rule.extras });
      } catch (err) {
        if (err instanceof OptspecError && err.partial !== undefined) {
          const p = err.partial as UpdateResult;
          rule = { ...rule, state: p.state };
          work = { ...work, data: p.param };
          if (fp32) rule = { ...rule, fp32Param: p.param };
          else out = { ...out, data: p.param };
        }
        throw err;
      }
      rule = { ...rule, state: r.state, extras: r.extras ?? rule.extras };
      work = { ...work, data: r.param };
      if (!fp32) out = { ...out, data: r.param };
    }
    const post = runRuleHooks(rule.hooks.post, rule, work, path, optimizer, compute);
    work = post.work;
    rule = { ...rule, hooks: { pre: rule.hooks.pre, post: post.hooks } };
    if (fp32) {
      if (initialized && work.data !== null) out = { ...out, data: astype(work.data, "float16") };
      rule = { ...rule, fp32Param: work.data };
    } else {
      out = { ...out, grad: work.grad, data: work.data };
    }
    return { rule, param: out };
  } catch (err) {
    return fail(err, { rule, param: out });
  }
}
