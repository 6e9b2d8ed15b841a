/**
 * The rule part of the step program: one update rule updating one parameter
 * (`UpdateRule.update(param)`; the normative text is in `rule-update.ts`).
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import type { OptimizerDef } from "../optimizers/types.js";
import type { Param } from "../link.js";
import type { HookEntry, Json } from "../hooks/types.js";
import type { NDArray } from "../ndarray.js";
import { getHookKind } from "../hooks/registry.js";
import { GradUnavailableError, HookArityError, HookNotCallableError, OptspecError } from "../errors.js";
import { effectiveHyperparams } from "../hyperparam.js";
import { ruleView } from "./step-hooks.js";
import { ask, type StepProgram } from "./step-requests.js";

export interface RuleUpdateResult {
  readonly rule: UpdateRuleState;
  readonly param: Param;
}

/** The partial effect of a failed rule update, attached to the error. */
export interface RulePartial {
  readonly rule: UpdateRuleState;
  readonly param: Param;
}

function* runRuleHooks(hooks: readonly HookEntry[], rule: UpdateRuleState, work: Param, path: string, optimizer: OptimizerState): StepProgram<{ work: Param; hooks: HookEntry[] }> {
  let w = work;
  const out: HookEntry[] = [];
  for (const entry of hooks) {
    const kind = getHookKind(entry.hook.kind);
    if (kind === undefined) throw new HookNotCallableError(`no hook kind ${JSON.stringify(entry.hook.kind)} is registered`);
    if (!kind.perParam) throw new HookArityError(kind.kind, path);
    const r = yield* ask({ op: "perParamHook", kind, call: { args: entry.hook.args, state: entry.state, rule: ruleView(path, rule, optimizer), param: w, path } });
    if (r.grad !== w.grad) w = { ...w, grad: r.grad };
    out.push(r.state === undefined ? entry : { ...entry, state: r.state as Json });
  }
  return { work: w, hooks: out };
}

export function* updateRuleProgram(def: OptimizerDef, optimizer: OptimizerState, path: string, rule0: UpdateRuleState, param: Param): StepProgram<RuleUpdateResult> {
  if (!rule0.enabled) return { rule: rule0, param };
  let rule: UpdateRuleState = { ...rule0, t: rule0.t + 1 };
  const initialized = param.data !== null;
  const lossScale = param.lossScale;
  const fp32 = rule.useFp32Update && param.dtype === "float16";
  let work: Param = param;
  let out: Param = param;
  if (fp32) {
    let master = rule.fp32Param;
    let uninitMaster = rule.fp32ParamUninitialized ?? false;
    if (master === null && !uninitMaster) {
      if (initialized) master = yield* ask({ op: "astype", path, a: param.data as NDArray, dtype: "float32" });
      else uninitMaster = true;
      rule = { ...rule, fp32Param: master, fp32ParamUninitialized: uninitMaster };
    }
    // Chainer bug kept: a master created uninitialized is never initialized later.
    const masterInit = master !== null;
    work = {
      dtype: "float32",
      shape: master?.shape ?? null,
      data: master,
      grad: masterInit && initialized && param.grad !== null ? yield* ask({ op: "astype", path, a: param.grad, dtype: "float32" }) : null,
      gradValid: initialized ? param.gradValid : false,
      lossScale: null,
    };
  }
  try {
    if (initialized && work.data !== null) {
      if (rule.state === null) rule = { ...rule, state: yield* ask({ op: "initState", def, path, param: work.data, hp: effectiveHyperparams(optimizer.hyperparam, rule.hyperparam) }) };
      if (lossScale !== null && work.grad !== null) {
        work = { ...work, grad: yield* ask({ op: "unscale", path, grad: work.grad, scale: lossScale }) };
        if (!fp32) out = { ...out, grad: work.grad };
      }
    }
    const pre = yield* runRuleHooks(rule.hooks.pre, rule, work, path, optimizer);
    work = pre.work;
    rule = { ...rule, hooks: { pre: pre.hooks, post: rule.hooks.post } };
    if (!fp32) out = { ...out, grad: work.grad };
    if (work.grad === null && !work.gradValid) throw new GradUnavailableError(path);
    if (work.grad !== null && work.data !== null) {
      const hp = effectiveHyperparams(optimizer.hyperparam, rule.hyperparam);
      let r;
      try {
        r = yield* ask({ op: "update", def, call: { path, param: work.data, grad: work.grad, state: rule.state ?? {}, hp, t: rule.t, extras: rule.extras } });
      } catch (err) {
        if (err instanceof OptspecError && err.partial !== undefined) {
          const p = err.partial as { param: NDArray; state: Readonly<Record<string, NDArray>> };
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
    const post = yield* runRuleHooks(rule.hooks.post, rule, work, path, optimizer);
    work = post.work;
    rule = { ...rule, hooks: { pre: rule.hooks.pre, post: post.hooks } };
    if (fp32) {
      if (initialized && work.data !== null) out = { ...out, data: yield* ask({ op: "astype", path, a: work.data, dtype: "float16" }) };
      rule = { ...rule, fp32Param: work.data };
    } else {
      out = { ...out, grad: work.grad, data: work.data };
    }
    return { rule, param: out };
  } catch (err) {
    if (err instanceof OptspecError) err.partial = { rule, param: out } satisfies RulePartial;
    throw err;
  }
}
