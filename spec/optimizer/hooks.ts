/**
 * Adding, removing and calling hooks, at optimizer level and on single update rules.
 *
 * @clause hooks.add.order `add_hook(hook, name=None, timing='auto')` checks, in this order: the
 * optimizer is set up; the hook is callable (here: a registered hook kind); `timing` is one of
 * 'pre', 'post', 'auto'; the name (given, else the hook's `name` attribute) exists; the name is not
 * taken in either the pre or the post table. Then the hook is appended to its table.
 * @clause hooks.add.callable A hook that is not callable (here: not a registered hook kind) fails
 * with TypeError('hook function must be callable') before anything else about it is looked at.
 * @clause hooks.add.timing A `timing` argument other than 'pre', 'post' or 'auto' (None included)
 * fails with ValueError, after the callable check and before the name is resolved.
 * @clause hooks.add.name With no `name` argument the hook's `name` attribute names it (else the
 * function's `__name__`); a hook with neither fails with ValueError.
 * @clause hooks.add.unique-name A name already registered in the pre or the post table fails with
 * KeyError('hook "<name>" already exists'): names are unique across both timings.
 * @clause hooks.add.auto-timing With `timing='auto'` the hook's `timing` attribute decides ('pre'
 * when absent). At optimizer level a value other than 'pre'/'post' warns and falls back to 'pre';
 * on an update rule anything other than exactly 'pre' files the hook under 'post', silently.
 * @clause hooks.remove `remove_hook(name)` removes from the pre table, else from the post table,
 * else raises KeyError(name).
 * @clause hooks.remove.unknown Removing a name in neither table raises KeyError(name) and changes
 * nothing.
 * @clause hooks.call.order `call_hooks(timing)` runs that table's hooks in registration order. A hook
 * with `call_for_each_param` is called as `hook(rule, param)` for every parameter in Chainer's order
 * (uninitialized and disabled ones included); any other hook is called once with the optimizer.
 * @clause hooks.call.reallocate After each hook, every initialized parameter whose gradient is None
 * gets a zero gradient (`reallocate_cleared_grads`).
 * @clause hooks.call.timing `call_hooks(timing)` with a timing other than 'pre' or 'post' fails
 * with ValueError("timing must be either 'pre' or 'post'").
 * @clause hooks.rule.call Rule hooks are called as `hook(rule, param)`; a hook that only acts on the
 * whole optimizer (GradientClipping) fails there with TypeError (arity).
 * @clause hooks.rule.per-param-only That failure happens when the rule hook is called during the
 * update (Chainer accepts it in `add_hook`), with the optimizer's and the rule's `t` already moved.
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import type { HookEntry, HookSpec, HookTable, Json } from "../hooks/types.js";
import { getHookKind } from "../hooks/registry.js";
import {
  DuplicateHookError,
  HookNameMissingError,
  HookNotCallableError,
  InvalidArgumentError,
  InvalidCallHooksTimingError,
  InvalidTimingError,
  NotSetUpError,
  UnknownHookError,
} from "../errors.js";
import type { Link, Param } from "../link.js";
import { zerosLike } from "../ndarray.js";
import type { ComputeOverride } from "../compute.js";
import { callHooksProgram, type Warn } from "./step-hooks.js";
import { drivePure } from "./step-driver.js";
import { copyJson, deepFreeze } from "../plain-data.js";
import { formatProblem } from "../invariants.js";

export { ruleView, type Warn } from "./step-hooks.js";

export interface AddHookOptions {
  readonly name?: string | null;
  readonly timing?: unknown;
  /** Receives Chainer's warnings (for example the timing fallback). */
  readonly warn?: Warn;
}

/** Where a hook goes: the optimizer, or the update rule of one parameter path. */
export type HookTarget = "optimizer" | { readonly rule: string };

function isHookSpec(x: unknown): x is HookSpec {
  if (typeof x !== "object" || x === null) return false;
  const o = x as { kind?: unknown; args?: unknown };
  return typeof o.kind === "string" && typeof o.args === "object" && o.args !== null;
}

function where(target: HookTarget): string {
  return target === "optimizer" ? "the optimizer" : `the rule of ${target.rule}`;
}

function tableOf(state: OptimizerState, target: HookTarget, what: string): HookTable {
  if (state.hooks === null) throw new NotSetUpError(what);
  if (target === "optimizer") return state.hooks;
  const rule = state.rules[target.rule];
  if (rule === undefined) {
    throw new InvalidArgumentError(`${what}: no parameter ${target.rule} in the target`, "hooks.rule.call");
  }
  return rule.hooks;
}

function withTable(state: OptimizerState, target: HookTarget, hooks: HookTable): OptimizerState {
  if (target === "optimizer") return deepFreeze({ ...state, hooks });
  const rule = state.rules[target.rule] as UpdateRuleState;
  return deepFreeze({ ...state, rules: { ...state.rules, [target.rule]: { ...rule, hooks } } });
}

/** The hook's effective `timing` and `name` attributes (instance values over the kind's). */
function hookAttrs(hook: HookSpec & { timing?: string; name?: string | null }): {
  timing: string | undefined;
  name: string | null;
} {
  const kind = getHookKind(hook.kind);
  return {
    timing: hook.timing !== undefined ? hook.timing : kind?.timing,
    name: hook.name !== undefined ? hook.name : (kind?.defaultName ?? null),
  };
}

/** @clause hooks.add.order */
export function addHook(
  state: OptimizerState,
  hook: unknown,
  options: AddHookOptions = {},
  target: HookTarget = "optimizer",
): OptimizerState {
  const table = tableOf(state, target, "addHook");
  if (!isHookSpec(hook)) throw new HookNotCallableError(`got ${hook === null ? "null" : typeof hook}`);
  const kind = getHookKind(hook.kind);
  if (kind === undefined) throw new HookNotCallableError(`no hook kind ${JSON.stringify(hook.kind)} is registered`);
  const timing = options.timing === undefined ? "auto" : options.timing;
  if (timing !== "pre" && timing !== "post" && timing !== "auto") throw new InvalidTimingError(timing);
  const attrs = hookAttrs(hook);
  let resolved: "pre" | "post";
  if (timing !== "auto") resolved = timing;
  else if (target === "optimizer") {
    const t = attrs.timing ?? "pre";
    if (t === "pre" || t === "post") resolved = t;
    else {
      options.warn?.("Hook timing attribute not in ('pre', 'post'), defaulting timing to 'pre'.");
      resolved = "pre";
    }
  } else {
    resolved = (attrs.timing ?? "pre") === "pre" ? "pre" : "post";
  }
  const name = options.name ?? attrs.name;
  if (name === null || name === undefined) throw new HookNameMissingError();
  if (table.pre.some((h) => h.name === name) || table.post.some((h) => h.name === name)) {
    throw new DuplicateHookError(name, where(target));
  }
  if (typeof name !== "string")
    throw new InvalidArgumentError(`addHook: the hook name must be a string, got ${typeof name}`, "hooks.add.name");
  // The arguments are copied (and frozen) first, so the caller's object is neither kept nor re-read.
  const copied = copyJson(hook.args, "args");
  if ("problem" in copied)
    throw new InvalidArgumentError(`addHook: ${hook.kind}: ${formatProblem(copied.problem)}`, kind.clause);
  const args = copied.value as Readonly<Record<string, Json>>;
  const argErr = kind.validate(args);
  if (argErr !== null) throw new InvalidArgumentError(`addHook: ${hook.kind}: ${argErr}`, kind.clause);
  const entry: HookEntry = {
    name,
    hook: { kind: hook.kind, args },
    state: kind.initialState ? kind.initialState(args) : null,
  };
  const hooks =
    resolved === "pre"
      ? { pre: [...table.pre, entry], post: table.post }
      : { pre: table.pre, post: [...table.post, entry] };
  return withTable(state, target, hooks);
}

/** @clause hooks.remove */
export function removeHook(state: OptimizerState, name: string, target: HookTarget = "optimizer"): OptimizerState {
  const table = tableOf(state, target, "removeHook");
  if (table.pre.some((h) => h.name === name)) {
    return withTable(state, target, { pre: table.pre.filter((h) => h.name !== name), post: table.post });
  }
  if (table.post.some((h) => h.name === name)) {
    return withTable(state, target, { pre: table.pre, post: table.post.filter((h) => h.name !== name) });
  }
  throw new UnknownHookError(name, where(target));
}

/** Which table holds a hook, or null. */
export function hookTiming(
  state: OptimizerState,
  name: string,
  target: HookTarget = "optimizer",
): "pre" | "post" | null {
  const table = tableOf(state, target, "hookTiming");
  if (table.pre.some((h) => h.name === name)) return "pre";
  if (table.post.some((h) => h.name === name)) return "post";
  return null;
}

/** @clause hooks.call.reallocate */
export function reallocateClearedGrads(link: Link): Link {
  let params: Record<string, Param> | null = null;
  for (const [path, p] of Object.entries(link.params)) {
    if (p.data !== null && p.grad === null) {
      params ??= { ...link.params };
      params[path] = { ...p, grad: zerosLike(p.data), gradValid: true };
    }
  }
  return params === null ? link : { structure: link.structure, params };
}

/** @clause hooks.call.order */
export function callHooks(
  state: OptimizerState,
  timing: unknown = "pre",
  warn?: Warn,
  compute?: ComputeOverride,
): OptimizerState {
  if (state.hooks === null) throw new NotSetUpError("callHooks");
  if (timing !== "pre" && timing !== "post") throw new InvalidCallHooksTimingError(timing);
  return deepFreeze(drivePure(callHooksProgram(state, timing, warn), compute));
}
