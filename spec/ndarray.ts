/**
 * Plain-data n-dimensional arrays, as the spec passes them around.
 *
 * @clause ndarray.representation An array is `{dtype, shape, data}`; `data` holds the elements in
 * C order as doubles, each exactly representable in `dtype` (float16 and float32 values are stored
 * widened, which is exact). Signed zeros are kept. Spec functions never write into `data` of an
 * array they were given: every operation returns a new array.
 */
import { type Dtype, roundTo, isDtype } from "./numerics/dtype.js";
import { InvalidValueError } from "./errors.js";
import { describeValue } from "./invariants.js";
import { activeNumerics } from "./numerics/context.js";

export interface NDArray {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The element count of a caller's shape, or an `InvalidValueError` naming what is wrong. */
function checkedSize(what: string, dtype: unknown, shape: unknown): number {
  const bad = (at: string, expected: string, got: unknown): never => {
    throw new InvalidValueError(what, { at, expected, got: describeValue(got) }, "ndarray.representation");
  };
  if (!isDtype(dtype)) bad("dtype", "float16, float32 or float64", dtype);
  if (!Array.isArray(shape)) return bad("shape", "an array of dimensions", shape);
  let n = 1;
  for (const [i, d] of shape.entries()) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) bad(`shape[${i}]`, "a non-negative integer", d);
    n *= d as number;
  }
  if (!Number.isSafeInteger(n)) bad("shape", "fewer than 2**53 elements", `[${shape.join(", ")}]`);
  return n;
}

/**
 * Build an array from values, rounding each to `dtype` (numpy's `np.array(values, dtype)`).
 * @clause ndarray.representation A dtype that is not a float dtype, a shape that is not
 * non-negative integers, a value count that differs from the shape's, or a value that is not a
 * number, raises `InvalidValueError`.
 */
export function array(dtype: Dtype, shape: readonly number[], values: ArrayLike<number>): NDArray {
  const n = checkedSize("array", dtype, shape);
  const bad = (at: string, expected: string, got: string): never => {
    throw new InvalidValueError("array", { at, expected, got }, "ndarray.representation");
  };
  if (typeof values !== "object" || values === null || typeof values.length !== "number")
    bad("values", "an array of numbers", describeValue(values));
  if (values.length !== n) bad("values", `${n} values (shape [${shape.join(", ")}])`, `${values.length} values`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number") bad(`values[${i}]`, "a number", describeValue(v));
    data[i] = roundTo(dtype, v as number);
  }
  return { dtype, shape: [...shape], data };
}

/** @clause ndarray.representation */
export function full(dtype: Dtype, shape: readonly number[], value: number): NDArray {
  const n = checkedSize("full", dtype, shape);
  if (typeof value !== "number")
    throw new InvalidValueError(
      "full",
      { at: "value", expected: "a number", got: describeValue(value) },
      "ndarray.representation",
    );
  const data = new Float64Array(n).fill(roundTo(dtype, value));
  return { dtype, shape: [...shape], data };
}

/** `numpy.zeros_like`: same dtype and shape, +0. */
export function zerosLike(a: NDArray): NDArray {
  return full(a.dtype, a.shape, 0);
}

/** `numpy.ones_like`. */
export function onesLike(a: NDArray): NDArray {
  return full(a.dtype, a.shape, 1);
}

/** `a.astype(dtype)`: a new array, each element rounded once to `dtype`. */
export function astype(a: NDArray, dtype: Dtype): NDArray {
  const ctx = activeNumerics();
  if (ctx !== null) {
    const r = ctx.op({ op: "astype", operands: [a], dtype, shape: a.shape });
    if (r !== undefined) return r;
  }
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = roundTo(dtype, a.data[i] as number);
  return { dtype, shape: a.shape, data };
}

/** A deep copy (fresh buffer). */
export function copy(a: NDArray): NDArray {
  return { dtype: a.dtype, shape: [...a.shape], data: new Float64Array(a.data) };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function isNDArray(x: unknown): x is NDArray {
  if (typeof x !== "object" || x === null) return false;
  const o = x as { dtype?: unknown; shape?: unknown; data?: unknown };
  return isDtype(o.dtype) && Array.isArray(o.shape) && o.data instanceof Float64Array;
}

/** Bitwise equality of two arrays: same dtype, shape and, element by element, the same value with
 * NaN equal to NaN and +0 distinct from -0. */
export function bitEqual(a: NDArray, b: NDArray): boolean {
  if (a.dtype !== b.dtype || !sameShape(a.shape, b.shape)) return false;
  for (let i = 0; i < a.data.length; i++) {
    if (!Object.is(a.data[i], b.data[i])) return false;
  }
  return true;
}
