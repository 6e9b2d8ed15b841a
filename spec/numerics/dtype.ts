/**
 * Floating-point dtypes of Chainer parameters and the rounding that numpy applies to each.
 *
 * @clause numerics.dtype.rounding Every array value of dtype D is a number exactly representable
 * in D; every elementwise operation rounds its real result once to D (ties to even).
 */
import { f16round } from "./float16.js";

export type Dtype = "float16" | "float32" | "float64";

export const DTYPES: readonly Dtype[] = ["float16", "float32", "float64"];

/** Round a double to the nearest value of `dtype` (IEEE round-to-nearest-even, overflow to ±Inf). */
export function roundTo(dtype: Dtype, x: number): number {
  switch (dtype) {
    case "float64":
      return x;
    case "float32":
      return Math.fround(x);
    case "float16":
      return f16round(x);
  }
}

/** Bytes per element. */
export function itemSize(dtype: Dtype): number {
  return dtype === "float16" ? 2 : dtype === "float32" ? 4 : 8;
}

/** numpy's standard promotion between float dtypes: the wider wins. */
export function promote(a: Dtype, b: Dtype): Dtype {
  return itemSize(a) >= itemSize(b) ? a : b;
}

/** Largest finite value of the dtype. */
export function maxFinite(dtype: Dtype): number {
  return dtype === "float16" ? 65504 : dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
}

export function isDtype(x: unknown): x is Dtype {
  return x === "float16" || x === "float32" || x === "float64";
}
