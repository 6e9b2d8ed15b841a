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
import { type Link, paramPaths } from "../link.js";
import { InvalidArgumentError, InvalidTargetError } from "../errors.js";

export function optimizerDef(name: string): OptimizerDef {
  const def = getOptimizerDef(name);
  if (def === undefined) {
    throw new InvalidArgumentError(
      `unknown optimizer ${JSON.stringify(name)}; known: ${Object.keys(OPTIMIZERS).join(", ")}`,
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
  return {
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
  };
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

function isLink(x: unknown): x is Link {
  if (typeof x !== "object" || x === null) return false;
  const o = x as { structure?: unknown; params?: unknown };
  return typeof o.structure === "object" && o.structure !== null && typeof o.params === "object" && o.params !== null;
}

/** @clause optimizer.setup */
export function setup(state: OptimizerState, link: unknown): OptimizerState {
  if (!isLink(link)) throw new InvalidTargetError(link === null ? "got null" : `got ${typeof link}`);
  const def = optimizerDef(state.optimizer);
  const rules: Record<string, UpdateRuleState> = {};
  for (const path of paramPaths(link.structure)) {
    if (!(path in link.params)) throw new InvalidTargetError(`parameter ${path} has no value in link.params`);
    rules[path] = newRule(def, state.hyperparam, state.useFp32Update);
  }
  return { ...state, target: link, t: 0, epoch: 0, hooks: EMPTY_HOOKS, rules };
}
