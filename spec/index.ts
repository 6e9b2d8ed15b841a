/**
 * optspec's reference specification of Chainer 7.8.1's optimizers: pure functions over plain data.
 * Importing this module registers the built-in hooks.
 */
import "./hooks/index.js";

export * from "./numerics/dtype.js";
export { stage, withStageProbe, type StageProbe } from "./stages.js";
export { f16round, f16ToBits, f16FromBits } from "./numerics/float16.js";
export { BITS_HEX_WIDTH, fromBitsHex, toBitsHex } from "./numerics/bits.js";
export { pow, powInt } from "./numerics/pow.js";
export { pyFloatRepr } from "./numerics/py-repr.js";
export * as np from "./numerics/np.js";
export {
  withNumerics,
  activeNumerics,
  type NumericsContext,
  type NumericOp,
  type OpRequest,
} from "./numerics/context.js";
export * from "./ndarray.js";
export * from "./link.js";
export * from "./errors.js";
export * from "./hyperparam.js";
export * from "./state.js";
export * from "./hooks/index.js";
export type { OptimizerDef, UpdateCall, UpdateResult, RuleState } from "./optimizers/types.js";
export { OPTIMIZERS, getOptimizerDef } from "./optimizers/registry.js";
export { alphaT, adaBoundBounds, intermediateDtype } from "./optimizers/adam.js";
export { createOptimizer, setup, optimizerDef } from "./optimizer/create.js";
export {
  addHook,
  removeHook,
  callHooks,
  hookTiming,
  reallocateClearedGrads,
  type AddHookOptions,
  type HookTarget,
  type Warn,
} from "./optimizer/hooks.js";
export { update, type Loss, type LossFunction, type UpdateOptions } from "./optimizer/update.js";
export { updateRule } from "./optimizer/rule-update.js";
export { lossScaling, setLossScale, updateLossScale, LOSS_SCALE_MAX } from "./optimizer/loss-scale.js";
export * from "./optimizer/settings.js";
export { Optimizer, UpdateRuleHandle } from "./chainer-api.js";
export { type ComputeOverride } from "./compute.js";
export * from "./serialization/chainer-protocol.js";
export * from "./serialization/load-errors.js";
export * from "./serialization/lossless.js";
