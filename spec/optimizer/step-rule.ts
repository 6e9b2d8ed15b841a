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
import type { StepAnswers, StepProgram } from "./step-requests.js";

export interface RuleUpdateResult {
  readonly rule: UpdateRuleState;
  readonly param: Param;
}

/** The partial effect of a failed rule update, attached to the error. */
export interface RulePartial {
  readonly rule: UpdateRuleState;
  readonly param: Param;
}

function* runRuleHooks(
  hooks: readonly HookEntry[],
  rule: UpdateRuleState,
  work: Param,
  path: string,
  optimizer: OptimizerState,
): StepProgram<{ work: Param; hooks: readonly HookEntry[] }> {
  let w = work;
  const out: HookEntry[] = [];
  for (const entry of hooks) {
    const kind = getHookKind(entry.hook.kind);
    if (kind === undefined)
      throw new HookNotCallableError(`no hook kind ${JSON.stringify(entry.hook.kind)} is registered`);
    if (!kind.perParam) throw new HookArityError(kind.kind, path);
    const r = (yield {
      op: "perParamHook",
      kind,
      call: { args: entry.hook.args, state: entry.state, rule: ruleView(path, rule, optimizer), param: w, path },
    }) as StepAnswers["perParamHook"];
    if (r.grad !== w.grad) w = { ...w, grad: r.grad };
    out.push(r.state === undefined ? entry : { ...entry, state: r.state as Json });
  }
  // Unchanged entries keep the table itself, so that a step allocates nothing for it.
  return { work: w, hooks: out.every((e, i) => e === hooks[i]) ? hooks : out };
}

export function* updateRuleProgram(
  def: OptimizerDef,
  optimizer: OptimizerState,
  path: string,
  rule0: UpdateRuleState,
  param: Param,
): StepProgram<RuleUpdateResult> {
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
      if (initialized)
        master = (yield { op: "astype", path, a: param.data as NDArray, dtype: "float32" }) as StepAnswers["astype"];
      else uninitMaster = true;
      rule = { ...rule, fp32Param: master, fp32ParamUninitialized: uninitMaster };
    }
    // Chainer bug kept: a master created uninitialized is never initialized later.
    const masterInit = master !== null;
    work = {
      dtype: "float32",
      shape: master?.shape ?? null,
      data: master,
      grad:
        masterInit && initialized && param.grad !== null
          ? ((yield { op: "astype", path, a: param.grad, dtype: "float32" }) as StepAnswers["astype"])
          : null,
      gradValid: initialized ? param.gradValid : false,
      lossScale: null,
    };
  }
  try {
    if (initialized && work.data !== null) {
      if (rule.state === null)
        rule = {
          ...rule,
          state: (yield {
            op: "initState",
            def,
            path,
            param: work.data,
            hp: effectiveHyperparams(optimizer.hyperparam, rule.hyperparam),
          }) as StepAnswers["initState"],
        };
      if (lossScale !== null && work.grad !== null) {
        work = {
          ...work,
          grad: (yield { op: "unscale", path, grad: work.grad, scale: lossScale }) as StepAnswers["unscale"],
        };
        if (!fp32) out = { ...out, grad: work.grad };
      }
    }
    const pre =
      rule.hooks.pre.length === 0
        ? { work, hooks: rule.hooks.pre }
        : yield* runRuleHooks(rule.hooks.pre, rule, work, path, optimizer);
    work = pre.work;
    if (pre.hooks !== rule.hooks.pre) rule = { ...rule, hooks: { pre: pre.hooks, post: rule.hooks.post } };
    if (!fp32 && out.grad !== work.grad) out = { ...out, grad: work.grad };
    if (work.grad === null && !work.gradValid) throw new GradUnavailableError(path);
    if (work.grad !== null && work.data !== null) {
      const hp = effectiveHyperparams(optimizer.hyperparam, rule.hyperparam);
      let r;
      try {
        r = (yield {
          op: "update",
          def,
          call: {
            path,
            param: work.data,
            grad: work.grad,
            state: rule.state ?? {},
            hp,
            t: rule.t,
            extras: rule.extras,
          },
        }) as StepAnswers["update"];
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
      if (r.state !== rule.state || (r.extras !== undefined && r.extras !== rule.extras))
        rule = { ...rule, state: r.state, extras: r.extras ?? rule.extras };
      if (work.data !== r.param) work = { ...work, data: r.param };
      if (!fp32 && out.data !== r.param) out = { ...out, data: r.param };
    }
    const post =
      rule.hooks.post.length === 0
        ? { work, hooks: rule.hooks.post }
        : yield* runRuleHooks(rule.hooks.post, rule, work, path, optimizer);
    work = post.work;
    if (post.hooks !== rule.hooks.post) rule = { ...rule, hooks: { pre: rule.hooks.pre, post: post.hooks } };
    if (fp32) {
      if (initialized && work.data !== null)
        out = { ...out, data: (yield { op: "astype", path, a: work.data, dtype: "float16" }) as StepAnswers["astype"] };
      rule = { ...rule, fp32Param: work.data };
    } else if (out.grad !== work.grad || out.data !== work.data) {
      out = { ...out, grad: work.grad, data: work.data };
    }
    return { rule, param: out };
  } catch (err) {
    if (err instanceof OptspecError) err.partial = { rule, param: out } satisfies RulePartial;
    throw err;
  }
}
