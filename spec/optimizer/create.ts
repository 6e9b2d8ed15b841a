/**
 * Constructing an optimizer and setting it up on a link.
 *
 * @clause optimizer.construct A new optimizer has `t = 0`, `epoch = 0`, `use_auto_new_epoch =
 * False`, no loss scale, fp32 update off, and is not set up. Its constructor sets every
 * hyperparameter explicitly (the defaults, the given arguments, and the variant's fixed values).
 * @clause optimizer.setup `setup(link)` sets `target`, resets `t` and `epoch` to 0, creates a new
 * empty hook registry (hooks added before are dropped) and a fresh rule for every parameter
 * (uninitialized included): states, rule `t`, rule hooks, `enabled = False` and per-rule overrides
 * of an earlier setup are discarded. With the optimizer's fp32 flag set, each new rule gets
 * `use_fp32_update`.
 * @clause optimizer.setup.required Operations that need a target (`add_hook`, `update`, …) on an
 * optimizer that is not set up fail with RuntimeError('Optimizer is not set up. Call `setup`
 * method.').
 * @clause optimizer.setup.target `setup` with something that is not a link fails with
 * TypeError('optimization target must be a link') and leaves the optimizer as it was.
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import { NO_LOSS_SCALE } from "../state.js";
import { getOptimizerDef, OPTIMIZERS } from "../optimizers/registry.js";
import type { OptimizerDef } from "../optimizers/types.js";
import { type HyperValue, type Hyperparams, checkHyperValue } from "../hyperparam.js";
import { EMPTY_HOOKS } from "../hooks/types.js";
import { type Link, type Param, copyStructure, paramDecls, paramPaths, validateStructure } from "../link.js";
import { InvalidArgumentError, InvalidTargetError, InvalidValueError } from "../errors.js";
import {
  type Problem,
  describeValue,
  formatProblem,
  paramProblem,
  stateProblem,
  structureProblem,
} from "../invariants.js";
import { deepFreeze, ownArray } from "../plain-data.js";

export function optimizerDef(name: string): OptimizerDef {
  const def = typeof name === "string" ? getOptimizerDef(name) : undefined;
  if (def === undefined) {
    throw new InvalidArgumentError(
      `unknown optimizer ${typeof name === "string" ? JSON.stringify(name) : describeValue(name)}; known: ${Object.keys(OPTIMIZERS).join(", ")}`,
      "optimizer.construct",
    );
  }
  return def;
}

/**
 * `createOptimizer('Adam', { alpha: 0.01 })` or with positional arguments
 * `createOptimizer('Adam', [0.01, 0.9])`, as Chainer's constructor takes them.
 */
export function createOptimizer(
  name: string,
  args: Readonly<Record<string, HyperValue>> | readonly HyperValue[] = {},
): OptimizerState {
  const def = optimizerDef(name);
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError(
      `${def.name}: arguments must be a record or an array of hyperparameter values, got ${describeValue(args)}`,
      "optimizer.construct",
    );
  }
  const kwargs: Record<string, HyperValue> = {};
  if (Array.isArray(args)) {
    if (args.length > def.positional.length) {
      throw new InvalidArgumentError(
        `${name}() takes at most ${def.positional.length} arguments (${def.positional.join(", ")}), got ${args.length}`,
        "optimizer.construct",
      );
    }
    args.forEach((v, i) => (kwargs[def.positional[i] as string] = v));
  } else {
    for (const [k, v] of Object.entries(args as Record<string, HyperValue>)) {
      if (!def.positional.includes(k)) {
        throw new InvalidArgumentError(
          `${name}() got an unexpected keyword argument ${JSON.stringify(k)}; it takes ${def.positional.join(", ")}`,
          "optimizer.construct",
        );
      }
      kwargs[k] = v;
    }
  }
  const hyperparam: Record<string, HyperValue> = {};
  for (const h of def.hyperparams) {
    const v = h.name in kwargs ? (kwargs[h.name] as HyperValue) : h.default;
    const err = checkHyperValue(h.name, v, h.type);
    if (err !== null) throw new InvalidArgumentError(`${name}: ${err}`, "optimizer.construct");
    hyperparam[h.name] = v;
  }
  Object.assign(hyperparam, def.fixed ?? {});
  return deepFreeze({
    optimizer: def.name,
    hyperparam,
    t: 0,
    epoch: 0,
    useAutoNewEpoch: false,
    hooks: null,
    target: null,
    rules: {},
    useFp32Update: false,
    lossScale: NO_LOSS_SCALE,
    useCleargrads: true,
  });
}

export function newRule(def: OptimizerDef, parent: Hyperparams, useFp32Update: boolean): UpdateRuleState {
  return {
    t: 0,
    enabled: true,
    state: null,
    hyperparam: {},
    hooks: EMPTY_HOOKS,
    useFp32Update,
    fp32Param: null,
    extras: def.ruleExtras ? def.ruleExtras(parent) : {},
  };
}

/**
 * A state given to the API must be one (`invariants.counters`, `invariants.loss-scale`, the shape
 * of an optimizer state); otherwise `InvalidValueError`.
 */
export function checkState(state: unknown, what: string): asserts state is OptimizerState {
  const bad = stateProblem(state);
  if (bad !== null) throw new InvalidValueError(what, bad, bad.clause ?? "state.plain-data");
}

/** The link a caller gave, checked (`invariants.link`, `invariants.param`) and copied; or the problem. */
function ownLink(x: unknown): Link | Problem {
  if (typeof x !== "object" || x === null)
    return { at: "link", expected: "a link {structure, params}", got: describeValue(x) };
  const o = x as { structure?: unknown; params?: unknown };
  const sp = structureProblem(o.structure, "target.structure");
  if (sp !== null) return sp;
  const structure = o.structure as Link["structure"];
  const err = validateStructure(structure);
  if (err !== null) return { at: "target.structure", expected: "a valid link structure", got: err };
  if (typeof o.params !== "object" || o.params === null)
    return { at: "target.params", expected: "a record of parameters by path", got: describeValue(o.params) };
  const given = o.params as Record<string, unknown>;
  const decls = paramDecls(structure);
  for (const path of Object.keys(given)) {
    if (!(path in decls))
      return { at: `target.params[${path}]`, expected: "a parameter path of the structure", got: describeValue(path) };
  }
  const params: Record<string, Param> = {};
  for (const path of paramPaths(structure)) {
    if (!(path in given))
      return { at: `target.params[${path}]`, expected: "a value for every parameter of the structure", got: "nothing" };
    const bad = paramProblem(given[path], `target.params[${path}]`, decls[path]!.dtype);
    if (bad !== null) return bad;
    const p = given[path] as Param;
    const data = p.data === null ? null : ownArray(p.data);
    const grad = p.grad === null ? null : p.grad === p.data ? data : ownArray(p.grad);
    params[path] = {
      dtype: p.dtype,
      shape: data === null ? (p.shape === null ? null : [...p.shape]) : data.shape,
      data,
      grad,
      gradValid: p.gradValid,
      lossScale: p.lossScale,
    };
  }
  return { structure: copyStructure(structure), params };
}

/**
 * @clause optimizer.setup
 * @clause optimizer.setup.target A target that is not a well-formed link (structure, a value for
 * every parameter, valid arrays of the declared dtypes) fails with `InvalidTargetError`; the
 * optimizer keeps a copy of the link's arrays (`state.no-aliasing`).
 */
export function setup(state: OptimizerState, link: unknown): OptimizerState {
  checkState(state, "setup");
  const own = ownLink(link);
  if (!("structure" in own)) throw new InvalidTargetError(formatProblem(own));
  const def = optimizerDef(state.optimizer);
  const rules: Record<string, UpdateRuleState> = {};
  for (const path of paramPaths(own.structure)) rules[path] = newRule(def, state.hyperparam, state.useFp32Update);
  return deepFreeze({ ...state, target: own, t: 0, epoch: 0, hooks: EMPTY_HOOKS, rules });
}
