/**
 * The hook parts of the step program: calling the optimizer's hooks of one timing and reallocating
 * cleared gradients (`hooks.call.order`, `hooks.call.reallocate`; the normative text is in
 * `hooks.ts`). Every gradient computation is a request.
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import type { HookEntry, HookTable, Json, RuleView } from "../hooks/types.js";
import { getHookKind } from "../hooks/registry.js";
import { HookArityError, HookNotCallableError } from "../errors.js";
import { type Link, type Param, paramOrder } from "../link.js";
import { effectiveHyperparams } from "../hyperparam.js";
import type { StepAnswers, StepProgram } from "./step-requests.js";
import { copyTable } from "./table.js";

export type Warn = (message: string) => void;

export function ruleView(path: string, rule: UpdateRuleState | undefined, state: OptimizerState): RuleView | null {
  if (rule === undefined) return null;
  return { t: rule.t, hyperparam: effectiveHyperparams(state.hyperparam, rule.hyperparam), path };
}

/** @clause hooks.call.reallocate */
export function* reallocateProgram(link: Link): StepProgram<Link> {
  let params: Record<string, Param> | null = null;
  // Walked in Chainer's order (an array: cheaper than enumerating a large table); the order of
  // independent zero fills does not matter.
  for (const path of paramOrder(link.structure)) {
    const p = link.params[path];
    if (p !== undefined && p.data !== null && p.grad === null) {
      params ??= copyTable(link.params, paramOrder(link.structure));
      params[path] = {
        ...p,
        grad: (yield { op: "zeros", path, like: p.data }) as StepAnswers["zeros"],
        gradValid: true,
      };
    }
  }
  return params === null ? link : { structure: link.structure, params };
}

function replaceEntryState(table: readonly HookEntry[], index: number, hookState: Json): HookEntry[] {
  return table.map((h, i) => (i === index ? { ...h, state: hookState } : h));
}

/** Call one optimizer-level hook (by its index in the table), then reallocate cleared gradients. */
function* callOptimizerHook(
  state: OptimizerState,
  timing: "pre" | "post",
  index: number,
  warn?: Warn,
): StepProgram<OptimizerState> {
  const hooks = state.hooks as HookTable;
  const entry = hooks[timing][index] as HookEntry;
  const kind = getHookKind(entry.hook.kind);
  if (kind === undefined)
    throw new HookNotCallableError(`no hook kind ${JSON.stringify(entry.hook.kind)} is registered`);
  let link = state.target as Link;
  let hookState = entry.state;
  if (kind.callForEachParam) {
    if (!kind.perParam) throw new HookArityError(kind.kind, "the optimizer");
    const params = copyTable(link.params, paramOrder(link.structure));
    for (const path of paramOrder(link.structure)) {
      const param = params[path] as Param;
      const call = {
        args: entry.hook.args,
        state: hookState,
        rule: ruleView(path, state.rules[path], state),
        param,
        path,
      };
      const r = (yield { op: "perParamHook", kind, call }) as StepAnswers["perParamHook"];
      if (r.grad !== param.grad) params[path] = { ...param, grad: r.grad };
      if (r.state !== undefined) hookState = r.state;
    }
    link = { structure: link.structure, params };
  } else {
    if (!kind.whole) throw new HookArityError(kind.kind, "the optimizer");
    const initialized: { path: string; param: Param }[] = [];
    for (const path of paramOrder(link.structure)) {
      const param = link.params[path] as Param;
      if (param.data !== null) initialized.push({ path, param });
    }
    const r = (yield {
      op: "wholeHook",
      kind,
      call: { args: entry.hook.args, state: hookState, params: initialized, t: state.t },
    }) as StepAnswers["wholeHook"];
    const params = copyTable(link.params, paramOrder(link.structure));
    for (const [path, grad] of Object.entries(r.grads)) {
      const p = params[path] as Param;
      if (grad !== p.grad) params[path] = { ...p, grad };
    }
    for (const w of r.warnings ?? []) warn?.(w);
    link = { structure: link.structure, params };
    if (r.state !== undefined) hookState = r.state;
  }
  const table =
    hookState === entry.state ? hooks : { ...hooks, [timing]: replaceEntryState(hooks[timing], index, hookState) };
  return { ...state, target: yield* reallocateProgram(link), hooks: table };
}

/** @clause hooks.call.order The hooks of one timing, in registration order (timing already checked). */
export function* callHooksProgram(
  state: OptimizerState,
  timing: "pre" | "post",
  warn?: Warn,
): StepProgram<OptimizerState> {
  let s = state;
  const count = (state.hooks as HookTable)[timing].length;
  for (let i = 0; i < count; i++) s = yield* callOptimizerHook(s, timing, i, warn);
  return s;
}
