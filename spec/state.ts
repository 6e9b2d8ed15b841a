/**
 * The optimizer's state as immutable plain data.
 *
 * @clause state.plain-data The whole optimizer (hyperparameters, counters, hooks, rules with their
 * states, loss-scale settings and the target's parameters) is one plain value. Every operation
 * returns a new value and leaves its input untouched.
 */
import type { NDArray } from "./ndarray.js";
import type { Link } from "./link.js";
import type { Hyperparams } from "./hyperparam.js";
import type { HookTable } from "./hooks/types.js";

export interface UpdateRuleState {
  /** The rule's own step counter (Adam's bias correction uses this, not the optimizer's). */
  readonly t: number;
  readonly enabled: boolean;
  /** Lazily created at the first update; null until then. */
  readonly state: Readonly<Record<string, NDArray>> | null;
  /** Hyperparameters set on this rule only. */
  readonly hyperparam: Hyperparams;
  readonly hooks: HookTable;
  readonly useFp32Update: boolean;
  /** The float32 master copy of a float16 parameter (created once, at the first fp32 update). */
  readonly fp32Param: NDArray | null;
  /** True when the master copy was created from an uninitialized parameter (Chainer never fills it). */
  readonly fp32ParamUninitialized?: boolean;
  /** Attributes outside `state`: MSVAG's `beta_power`, AdaBound's `initial_alpha`. */
  readonly extras: Readonly<Record<string, number>>;
}

export interface LossScaleState {
  /** `_loss_scale`: null when no loss scaling is configured. */
  readonly scale: number | null;
  readonly dynamic: boolean;
  readonly interval: number | null;
  readonly multiplier: number | null;
  readonly isnanEver: boolean;
  /** Whether the last update found a non-finite gradient (dynamic mode). */
  readonly isnan: boolean;
}

export interface OptimizerState {
  /** The optimizer definition's name in the registry (Chainer's class name). */
  readonly optimizer: string;
  readonly hyperparam: Hyperparams;
  readonly t: number;
  readonly epoch: number;
  readonly useAutoNewEpoch: boolean;
  /** Null until `setup`. */
  readonly hooks: HookTable | null;
  readonly target: Link | null;
  /** One rule per parameter path, created by `setup`. */
  readonly rules: Readonly<Record<string, UpdateRuleState>>;
  readonly useFp32Update: boolean;
  readonly lossScale: LossScaleState;
  /** `use_cleargrads(False)` makes `update(lossfun)` zero-fill instead of clear gradients. */
  readonly useCleargrads: boolean;
}

export const NO_LOSS_SCALE: LossScaleState = {
  scale: null,
  dynamic: false,
  interval: null,
  multiplier: null,
  isnanEver: false,
  isnan: false,
};
