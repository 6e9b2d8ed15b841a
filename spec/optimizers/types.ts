/**
 * The contract every optimizer definition of the spec fulfils: its hyperparameters with Chainer's
 * defaults and types, how its rule's state starts, and its update in Chainer's exact order of
 * operations. Adding an optimizer means adding one file that exports an `OptimizerDef` and one row
 * in `registry.ts`.
 */
import type { NDArray } from "../ndarray.js";
import type { HyperparamDef, HyperValue, Hyperparams } from "../hyperparam.js";
import type { Dtype } from "../numerics/dtype.js";
import type { KernelScalars } from "./kernel-scalars.js";

export type RuleState = Readonly<Record<string, NDArray>>;

export interface UpdateCall {
  /** Parameter path, for error messages. */
  readonly path: string;
  /** The parameter data the update works on (the float32 master copy under fp32 update). */
  readonly param: NDArray;
  /** Its gradient (already divided by the loss scale). */
  readonly grad: NDArray;
  readonly state: RuleState;
  /** Effective hyperparameters (the rule's own over the optimizer's). */
  readonly hp: Hyperparams;
  /** The rule's t, already incremented for this update. */
  readonly t: number;
  /** Rule attributes outside the state (MSVAG's beta_power, AdaBound's initial_alpha). */
  readonly extras: Readonly<Record<string, number>>;
}

export interface UpdateResult {
  readonly param: NDArray;
  readonly state: RuleState;
  readonly extras?: Readonly<Record<string, number>>;
}

export interface OptimizerDef {
  /** Chainer's class name (`chainer.optimizers.<name>`). */
  readonly name: string;
  /** Every hyperparameter the optimizer exposes, with default and Python type. */
  readonly hyperparams: readonly HyperparamDef[];
  /** The constructor's positional argument order. */
  readonly positional: readonly string[];
  /** Values the constructor sets regardless of arguments (AMSGrad sets `amsgrad = True`). */
  readonly fixed?: Readonly<Record<string, HyperValue>>;
  /** The backend kernel that implements the update (optimizers sharing a rule share a kernel). */
  readonly kernel?: string;
  /** The scalars and buffers the kernel's elementwise part needs (`kernel-scalars.ts`). */
  readonly kernelScalars?: KernelScalars;
  /** The clause id of the update formula (the parameter's update). */
  readonly clause: string;
  /** The clause id that governs each state entry, where it differs from `clause`. */
  readonly stateClauses?: Readonly<Record<string, string>>;
  /** Attributes the rule captures at construction (setup), outside `state`. */
  ruleExtras?(hp: Hyperparams): Record<string, number>;
  /** The state keys in insertion order with their initial arrays (zeros_like/ones_like of `param`). */
  initState(param: NDArray, hp: Hyperparams): Record<string, NDArray>;
  /** One update of one parameter; throws an OptspecError where Chainer raises. */
  update(call: UpdateCall): UpdateResult;
}

export type { Dtype };

import { MissingStateError } from "../errors.js";

/**
 * @clause rule.state.key-missing Reading a state entry the rule does not have raises Chainer's
 * KeyError (for example `vhat` after turning `amsgrad` on mid-run).
 */
export function stateEntry(call: Pick<UpdateCall, "state" | "path">, key: string, clause: string): NDArray {
  const v = call.state[key];
  if (v === undefined) throw new MissingStateError(call.path, key, clause);
  return v;
}
