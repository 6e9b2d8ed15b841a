/**
 * Evaluating the spec's own formulas under another arithmetic.
 *
 * Every elementwise operation of `np.ts` (and `astype`) first offers itself to the active
 * numerics context, if any; a context may return an array to replace the operation's result or
 * `undefined` to keep numpy's arithmetic. This lets the conformance kit evaluate the very formulas
 * of `spec/optimizers/*` and `spec/hooks/*` in interval arithmetic (bounded backends such as
 * WebGPU, whose tolerance is derived from per-operation accuracy) or with a common implementation
 * mistake (fused multiply-add, unrounded intermediates, flushed subnormals) without a second copy
 * of any formula. With no context active the cost is one null check per operation, not per element.
 *
 * @clause numerics.context Under a numerics context the spec's formulas run unchanged: same
 * operations, same operands, same order, same result dtypes; only the values an operation produces
 * may differ. Without a context every operation is numpy's (`numerics.op.rounding`).
 */
import type { Dtype } from "./dtype.js";
import type { NDArray } from "../ndarray.js";
import type { Operand } from "./operand.js";

/** The operations a context sees, named as the spec calls them. */
export type NumericOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "sqrt"
  | "square"
  | "maximum"
  | "minimum"
  | "clip"
  | "sign"
  | "nanToZero"
  | "assign"
  | "astype"
  | "dot";

export interface OpRequest {
  readonly op: NumericOp;
  /**
   * The operands in the spec's order. `clip` has `[x, lo, hi]` with `null` for an absent bound;
   * `assign` has `[target, value]`; `astype` and `dot` have `[a]`.
   */
  readonly operands: readonly (Operand | null)[];
  /** The result dtype numpy 1.x gives (value-based casting already applied). */
  readonly dtype: Dtype;
  /** The result shape (`[]` for a 0-d result). */
  readonly shape: readonly number[];
}

export interface NumericsContext {
  /** A replacement result for this operation, or undefined for numpy's own. */
  op(request: OpRequest): NDArray | undefined;
}

let active: NumericsContext | null = null;

/** The context in force, or null (numpy arithmetic). */
export function activeNumerics(): NumericsContext | null {
  return active;
}

/** Run `fn` with `ctx` in force (restored afterwards, also when `fn` throws; contexts nest). */
export function withNumerics<T>(ctx: NumericsContext, fn: () => T): T {
  const previous = active;
  active = ctx;
  try {
    return fn();
  } finally {
    active = previous;
  }
}
