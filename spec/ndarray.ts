/**
 * Plain-data n-dimensional arrays, as the spec passes them around.
 *
 * @clause ndarray.representation An array is `{dtype, shape, data}`; `data` holds the elements in
 * C order as doubles, each exactly representable in `dtype` (float16 and float32 values are stored
 * widened, which is exact). Signed zeros are kept. Spec functions never write into `data` of an
 * array they were given: every operation returns a new array.
 */
import { type Dtype, roundTo, isDtype } from "./numerics/dtype.js";
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

/** Build an array from values, rounding each to `dtype` (numpy's `np.array(values, dtype)`). */
export function array(dtype: Dtype, shape: readonly number[], values: ArrayLike<number>): NDArray {
  const n = sizeOf(shape);
  if (values.length !== n) {
    throw new RangeError(`array: shape [${shape.join(", ")}] needs ${n} values, got ${values.length}`);
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = roundTo(dtype, values[i] as number);
  return { dtype, shape: [...shape], data };
}

export function full(dtype: Dtype, shape: readonly number[], value: number): NDArray {
  const data = new Float64Array(sizeOf(shape)).fill(roundTo(dtype, value));
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
