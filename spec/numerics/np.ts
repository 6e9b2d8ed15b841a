/**
 * numpy 1.x elementwise arithmetic, as Chainer's CPU update code relies on it.
 *
 * Operands are arrays (`NDArray`; a 0-d array behaves as a numpy scalar), Python floats (plain
 * `number`) and Python ints (`pyInt(n)`).
 *
 * @clause numerics.promotion.value-based When at least one operand is an array of one or more
 * dimensions, the result dtype is the promotion of those arrays' dtypes with the *smallest float
 * type that holds each scalar's value* (numpy 1.x value-based casting): a Python float or numpy
 * scalar meeting a float32 array is rounded to float32 first (N1), unless its magnitude overflows
 * float32, in which case the result is float64. Small Python ints never widen a float array.
 * @clause numerics.promotion.scalars When every operand is a scalar (Python scalar, numpy scalar or
 * 0-d array), ordinary promotion applies with a Python float counting as float64 and a Python int
 * as int64, so `np.float32 ⊕ python float` is float64 (N4) and 0-d parameters compute in float64 (N5).
 * @clause numerics.op.rounding Each operation converts its operands to the result dtype, computes
 * in real arithmetic and rounds once to the result dtype (computing in double and rounding once is
 * exact-equivalent for + − × ÷ and sqrt of float16/float32 inputs).
 * @clause numerics.op.inplace An in-place operation `x op= y` computes `x op y` by the rules above,
 * then rounds the result to `x`'s dtype (a float32 result stored into a float16 state rounds twice).
 */
import { type Dtype, promote, roundTo } from "./dtype.js";
import { type NDArray, sameShape } from "../ndarray.js";
import { type Operand, isArray, isPyInt } from "./operand.js";
import { type NumericOp, activeNumerics } from "./context.js";

export { type Operand, type PyInt, pyInt } from "./operand.js";

/** numpy's `min_scalar_type` for a float value, restricted to float kinds. */
function minFloatTypeOf(v: number): Dtype {
  if (!Number.isFinite(v)) return "float16";
  const a = Math.abs(v);
  if (a <= 65504) return "float16";
  if (a <= 3.4028234663852886e38) return "float32";
  return "float64";
}

function scalarValue(x: Operand): number {
  if (typeof x === "number") return x;
  if (isPyInt(x)) return x.pyInt;
  return x.data[0] as number;
}

/** Result dtype of an elementwise operation under numpy 1.x rules. */
export function resultDtype(operands: readonly Operand[]): Dtype {
  const arrays = operands.filter((o): o is NDArray => isArray(o) && o.shape.length > 0);
  if (arrays.length > 0) {
    let d = arrays.map((a) => a.dtype).reduce(promote);
    for (const o of operands) {
      if (isArray(o) && o.shape.length > 0) continue;
      if (isPyInt(o)) {
        const v = Math.abs(o.pyInt);
        // int8/uint8 fit float16; int16/uint16 need float32; wider ints need float64.
        if (v > 65535) d = promote(d, "float64");
        else if (v > 255) d = promote(d, "float32");
        continue;
      }
      d = promote(d, minFloatTypeOf(scalarValue(o)));
    }
    return d;
  }
  let d: Dtype | null = null;
  for (const o of operands) {
    const od: Dtype = isArray(o) ? o.dtype : "float64"; // Python float → float64, int → int64 → float64 with floats
    d = d === null ? od : promote(d, od);
  }
  return d ?? "float64";
}

export function shapeOf(operands: readonly Operand[]): readonly number[] {
  let shape: readonly number[] = [];
  for (const o of operands) {
    if (isArray(o) && o.shape.length > 0) {
      if (shape.length > 0 && !sameShape(shape, o.shape)) {
        throw new RangeError(`shapes [${shape.join(", ")}] and [${o.shape.join(", ")}] differ`);
      }
      shape = o.shape;
    }
  }
  return shape;
}

export type Reader = (i: number) => number;

/** Element `i` of an operand as numpy reads it into an operation computing in `dtype`. */
export function operandReader(o: Operand, dtype: Dtype): Reader {
  if (isArray(o) && o.shape.length > 0) {
    const data = o.data;
    if (o.dtype === dtype || dtype === "float64" || (dtype === "float32" && o.dtype === "float16")) {
      return (i) => data[i] as number; // widening is exact
    }
    return (i) => roundTo(dtype, data[i] as number);
  }
  const v = roundTo(dtype, scalarValue(o));
  return () => v;
}

/** Apply an elementwise function of n operands with numpy 1.x promotion and one rounding. */
export function elementwise(operands: readonly Operand[], f: (...xs: number[]) => number): NDArray {
  const dtype = resultDtype(operands);
  const shape = shapeOf(operands);
  let n = 1;
  for (const s of shape) n *= s;
  const readers = operands.map((o) => operandReader(o, dtype));
  const data = new Float64Array(n);
  const xs = Array.from({ length: readers.length }, () => 0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < readers.length; k++) xs[k] = (readers[k] as Reader)(i);
    data[i] = roundTo(dtype, f(...xs));
  }
  return { dtype, shape: [...shape], data };
}

/** An elementwise operation offered first to the active numerics context (`numerics.context`). */
function op(name: NumericOp, operands: readonly Operand[], f: (...xs: number[]) => number): NDArray {
  const ctx = activeNumerics();
  if (ctx !== null) {
    const r = ctx.op({ op: name, operands, dtype: resultDtype(operands), shape: shapeOf(operands) });
    if (r !== undefined) return r;
  }
  return elementwise(operands, f);
}

export const add = (a: Operand, b: Operand): NDArray => op("add", [a, b], (x, y) => (x as number) + (y as number));
export const sub = (a: Operand, b: Operand): NDArray => op("sub", [a, b], (x, y) => (x as number) - (y as number));
export const mul = (a: Operand, b: Operand): NDArray => op("mul", [a, b], (x, y) => (x as number) * (y as number));
export const div = (a: Operand, b: Operand): NDArray => op("div", [a, b], (x, y) => (x as number) / (y as number));
export const sqrt = (a: NDArray): NDArray => op("sqrt", [a], (x) => Math.sqrt(x as number));
/** `numpy.square(a)`, which is `a * a` with one rounding (Python's `a ** 2` on an array). */
export const square = (a: NDArray): NDArray => op("square", [a], (x) => (x as number) * (x as number));
/** `numpy.nan_to_num`'s NaN part as MSVAG uses it (`x[isnan(x)] = 0`): NaN becomes +0, all else stays. */
export const nanToZero = (a: NDArray): NDArray =>
  op("nanToZero", [a], (x) => (Number.isNaN(x as number) ? 0 : (x as number)));

/**
 * @clause numerics.nan.maximum `numpy.maximum(a, b)`: NaN if either operand is NaN (the first NaN
 * operand is returned), else the larger; for equal zeros of opposite sign numpy returns the first.
 */
export const maximum = (a: Operand, b: Operand): NDArray =>
  op("maximum", [a, b], (x, y) => npMax(x as number, y as number));

/** @clause numerics.nan.minimum `numpy.minimum`: NaN-propagating like `maximum`. */
export const minimum = (a: Operand, b: Operand): NDArray =>
  op("minimum", [a, b], (x, y) => npMin(x as number, y as number));

export function npMax(x: number, y: number): number {
  if (Number.isNaN(x)) return x;
  if (Number.isNaN(y)) return y;
  return x >= y ? x : y;
}

export function npMin(x: number, y: number): number {
  if (Number.isNaN(x)) return x;
  if (Number.isNaN(y)) return y;
  return x <= y ? x : y;
}

/**
 * @clause numerics.nan.clip `numpy.clip(x, lo, hi)` is `minimum(maximum(x, lo), hi)`: NaN in x
 * stays NaN and `lo > hi` yields `hi`. A `null` bound is absent.
 */
export function clip(x: NDArray, lo: Operand | null, hi: Operand | null): NDArray {
  const ops: Operand[] = [x];
  if (lo !== null) ops.push(lo);
  if (hi !== null) ops.push(hi);
  const ctx = activeNumerics();
  if (ctx !== null) {
    const r = ctx.op({ op: "clip", operands: [x, lo, hi], dtype: resultDtype(ops), shape: shapeOf(ops) });
    if (r !== undefined) return r;
  }
  return elementwise(ops, (...v) => {
    let r = v[0] as number;
    let k = 1;
    if (lo !== null) r = npMax(r, v[k++] as number);
    if (hi !== null) r = npMin(r, v[k] as number);
    return r;
  });
}

/** @clause numerics.nan.sign `numpy.sign`: −1, +1, +0 for either zero, NaN for NaN. */
export const sign = (a: NDArray): NDArray =>
  op("sign", [a], (x) =>
    Number.isNaN(x as number) ? (x as number) : (x as number) > 0 ? 1 : (x as number) < 0 ? -1 : 0,
  );

/** In place: the result of `op` rounded to the target's dtype (`x op= y`, `x[...] = e`). */
export function assignTo(target: NDArray, value: NDArray): NDArray {
  if (!sameShape(target.shape, value.shape) && value.shape.length > 0) {
    throw new RangeError(`cannot assign shape [${value.shape.join(", ")}] into [${target.shape.join(", ")}]`);
  }
  const ctx = activeNumerics();
  if (ctx !== null) {
    const r = ctx.op({ op: "assign", operands: [target, value], dtype: target.dtype, shape: target.shape });
    if (r !== undefined) return r;
  }
  const n = target.data.length;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = roundTo(target.dtype, (value.shape.length > 0 ? value.data[i] : value.data[0]) as number);
  }
  return { dtype: target.dtype, shape: target.shape, data };
}

export const iadd = (x: NDArray, y: Operand): NDArray => assignTo(x, add(x, y));
export const isub = (x: NDArray, y: Operand): NDArray => assignTo(x, sub(x, y));
export const imul = (x: NDArray, y: Operand): NDArray => assignTo(x, mul(x, y));
export const idiv = (x: NDArray, y: Operand): NDArray => assignTo(x, div(x, y));

/**
 * @clause numerics.dot.sequential `x.ravel().dot(x.ravel())` as the reference BLAS computes it:
 * a sequential loop `acc = acc + x[i]*x[i]` rounded to the dtype at every step, starting from 0.
 * For float16 numpy accumulates the exact products in float32 and rounds to float16 once at the end.
 * The result is a 0-d array (a numpy scalar) of the input's dtype.
 */
export function dotSelf(x: NDArray): NDArray {
  const ctx = activeNumerics();
  if (ctx !== null) {
    const r = ctx.op({ op: "dot", operands: [x], dtype: x.dtype, shape: [] });
    if (r !== undefined) return r;
  }
  let acc = 0;
  const d = x.data;
  if (x.dtype === "float16") {
    for (let i = 0; i < d.length; i++) acc = Math.fround(acc + (d[i] as number) * (d[i] as number));
  } else {
    for (let i = 0; i < d.length; i++) {
      acc = roundTo(x.dtype, acc + roundTo(x.dtype, (d[i] as number) * (d[i] as number)));
    }
  }
  return { dtype: x.dtype, shape: [], data: Float64Array.of(roundTo(x.dtype, acc)) };
}

/** A numpy scalar (0-d array) of `dtype`. */
export function npScalar(dtype: Dtype, value: number): NDArray {
  return { dtype, shape: [], data: Float64Array.of(roundTo(dtype, value)) };
}

/** Elements that are not finite (for dynamic loss scaling's check). */
export function allFinite(a: NDArray): boolean {
  for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i] as number)) return false;
  return true;
}
