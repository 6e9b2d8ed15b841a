/**
 * `GradientMethod.update(lossfun=None, *args)`.
 *
 * @clause update.lossfun With a loss function: the loss is computed first (forward), then the
 * gradients are cleared (`cleargrads`, or zero-filled after `use_cleargrads(False)`), then backward
 * runs with the optimizer's loss scale: every parameter it reaches gets its gradient accumulated and
 * carries that loss scale.
 * @clause update.sequence Then: zero gradients for initialized parameters without one; the
 * dynamic-scaling check; the optimizer's pre hooks; `t += 1`; every rule updates its parameter in
 * Chainer's order unless dynamic scaling found a non-finite gradient; zero gradients again; the
 * post hooks; the loss-scale adjustment.
 * @clause update.zero-grad An initialized parameter that got no gradient is updated with a zero
 * gradient, not skipped: its state still evolves.
 * @clause update.partial A failure inside the update propagates with Chainer's partial effect
 * recorded on the error (`t` already incremented, earlier parameters already updated); the state
 * passed in is unchanged.
 */
import type { OptimizerState } from "../state.js";
import { type Link, type Param, cleargrads, paramPaths } from "../link.js";
import { type NDArray, zerosLike } from "../ndarray.js";
import { add, allFinite } from "../numerics/np.js";
import { InvalidArgumentError, NotSetUpError, OptspecError } from "../errors.js";
import { callHooks, reallocateClearedGrads, type Warn } from "./hooks.js";
import { updateRule, type RulePartial } from "./rule-update.js";
import { updateLossScale } from "./loss-scale.js";
import { optimizerDef } from "./create.js";
import { pyFloatRepr } from "../numerics/py-repr.js";
import type { ComputeOverride } from "../compute.js";
import { checkState } from "./create.js";
import { InvalidValueError } from "../errors.js";
import { arrayProblem, describeValue } from "../invariants.js";
import { deepFreeze, ownArray } from "../plain-data.js";

/** A loss: anything that can run backward into the target's parameters with a loss scale. */
export interface Loss {
  readonly value?: NDArray;
  /**
   * Gradients of the loss with respect to the parameters it reaches, for an initial gradient of
   * ones multiplied by `lossScale` (when not null).
   */
  backward(lossScale: number | null): Readonly<Record<string, NDArray>>;
}

export type LossFunction = (link: Link) => Loss;

export interface UpdateOptions {
  readonly warn?: Warn;
  /** Kernels that replace the spec's arithmetic (a backend); the state machine stays the spec's. */
  readonly compute?: ComputeOverride;
}

function zerograds(link: Link): Link {
  const params: Record<string, Param> = {};
  for (const [path, p] of Object.entries(link.params)) {
    params[path] = { ...p, grad: p.data === null ? null : zerosLike(p.data), gradValid: true };
  }
  return { structure: link.structure, params };
}

/** @clause update.lossfun.grads `backward` returns a record of valid NDArrays (`invariants.array`), each of its parameter's dtype and shape; they are copied. */
function applyBackward(link: Link, grads: Readonly<Record<string, NDArray>>, lossScale: number | null): Link {
  if (typeof grads !== "object" || grads === null) {
    throw new InvalidValueError("update", { at: "backward()", expected: "a record of gradients by parameter path", got: describeValue(grads) }, "update.lossfun.grads");
  }
  const params = { ...link.params };
  for (const [path, given] of Object.entries(grads)) {
    const p = params[path];
    if (p === undefined) throw new InvalidArgumentError(`backward returned a gradient for ${path}, which is not a parameter of the target`, "update.lossfun");
    const bad = arrayProblem(given, `backward()[${path}]`, { dtype: p.dtype, shape: p.data?.shape ?? null });
    if (bad !== null) throw new InvalidValueError("update", bad, "update.lossfun.grads");
    const g = ownArray(given);
    params[path] = { ...p, grad: p.grad === null ? g : add(p.grad, g), gradValid: true, lossScale };
  }
  return { structure: link.structure, params };
}

/** @clause loss-scale.dynamic.check */
function checkNanInGrads(state: OptimizerState, warn?: Warn): OptimizerState {
  if (!state.lossScale.dynamic) return { ...state, lossScale: { ...state.lossScale, isnan: false } };
  const link = state.target as Link;
  let isnan = false;
  for (const path of paramPaths(link.structure)) {
    const g = (link.params[path] as Param).grad;
    if (g === null) {
      throw new InvalidArgumentError(
        `update: ${path} has no gradient to check for non-finite values (uninitialized parameter under dynamic loss scaling)`,
        "loss-scale.dynamic.check",
        { type: "TypeError", str: "ufunc 'isfinite' not supported for the input types" },
      );
    }
    if (!allFinite(g)) {
      isnan = true;
      const ls = state.lossScale.scale;
      warn?.(`Non finite number found in param.grad of ${path} (iteration: ${state.t}, loss_scale: ${ls === null ? "None" : pyFloatRepr(ls)})`);
    }
  }
  return { ...state, lossScale: { ...state.lossScale, isnan, isnanEver: state.lossScale.isnanEver || isnan } };
}

/** @clause update.sequence */
export function update(state: OptimizerState, lossfun?: LossFunction, options: UpdateOptions = {}): OptimizerState {
  checkState(state, "update");
  if (lossfun !== undefined && typeof lossfun !== "function") {
    throw new InvalidArgumentError(`update: lossfun must be a function (link) => loss, or omitted; got ${describeValue(lossfun)}`, "update.lossfun");
  }
  if (state.hooks === null || state.target === null) throw new NotSetUpError("update");
  const def = optimizerDef(state.optimizer);
  let s = state;
  try {
    if (lossfun !== undefined) {
      const loss = lossfun(s.target as Link);
      if (typeof loss !== "object" || loss === null || typeof loss.backward !== "function") {
        throw new InvalidArgumentError(`update: lossfun must return a loss with a backward(lossScale) method, got ${describeValue(loss)}`, "update.lossfun");
      }
      const cleared = s.useCleargrads ? cleargrads(s.target as Link) : zerograds(s.target as Link);
      const grads = loss.backward(s.lossScale.scale);
      s = { ...s, target: applyBackward(cleared, grads, s.lossScale.scale) };
    }
    s = { ...s, target: reallocateClearedGrads(s.target as Link) };
    s = checkNanInGrads(s, options.warn);
    s = callHooks(s, "pre", options.warn, options.compute);
    s = { ...s, t: s.t + 1 };
    if (!(s.lossScale.dynamic && s.lossScale.isnan)) {
      const link = s.target as Link;
      for (const path of paramPaths(link.structure)) {
        const rule = s.rules[path];
        if (rule === undefined) continue; // a parameter without a rule is skipped, as Chainer does
        try {
          const r = updateRule(def, s, path, rule, (s.target as Link).params[path] as Param, options.compute);
          s = { ...s, rules: { ...s.rules, [path]: r.rule }, target: { ...(s.target as Link), params: { ...(s.target as Link).params, [path]: r.param } } };
        } catch (err) {
          if (err instanceof OptspecError && err.partial !== undefined) {
            const p = err.partial as RulePartial;
            s = { ...s, rules: { ...s.rules, [path]: p.rule }, target: { ...(s.target as Link), params: { ...(s.target as Link).params, [path]: p.param } } };
          }
          throw err;
        }
      }
    }
    s = { ...s, target: reallocateClearedGrads(s.target as Link) };
    s = callHooks(s, "post", options.warn, options.compute);
    s = { ...s, lossScale: updateLossScale(s.lossScale) };
    return deepFreeze(s);
  } catch (err) {
    if (err instanceof OptspecError) err.partial = s;
    throw err;
  }
}
