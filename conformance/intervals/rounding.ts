/**
 * Directed rounding for interval arithmetic: the float32 (or float64) values just below and just
 * above a real number that a float64 computation approximates, and ULP measures. Every helper is
 * sound, never tight at the cost of soundness: where float64 itself rounded, the bound moves out
 * by one float64 step first.
 */
import type { Dtype } from "../../spec/numerics/dtype.js";

const f64 = new Float64Array(1);
const u64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Int32Array(f32.buffer);

/** The next float64 toward −∞ (−0 and +0 step to the smallest negative subnormal). */
export function nextDown64(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return x;
  if (x === 0) return -Number.MIN_VALUE;
  f64[0] = x;
  u64[0] = x > 0 ? u64[0]! - 1n : u64[0]! + 1n;
  return f64[0]!;
}

export const nextUp64 = (x: number): number => -nextDown64(-x);

/** The largest float32 ≤ x (x a float64). */
export function roundDown32(x: number): number {
  const r = Math.fround(x);
  if (r <= x || Number.isNaN(r)) return r;
  return nextDown32(r);
}

/** The smallest float32 ≥ x. */
export const roundUp32 = (x: number): number => -roundDown32(-x);

/** The next float32 toward −∞. */
export function nextDown32(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return x;
  if (x === 0) return -1.401298464324817e-45;
  f32[0] = x;
  u32[0] = x > 0 ? u32[0]! - 1 : u32[0]! + 1;
  return f32[0]!;
}

export const nextUp32 = (x: number): number => -nextDown32(-x);

/** Round a lower bound down to the dtype (float64 bounds are taken as they are). */
export function down(dtype: Dtype, x: number): number {
  return dtype === "float64" ? x : dtype === "float32" ? roundDown32(x) : roundDownTo16(x);
}

export function up(dtype: Dtype, x: number): number {
  return -down(dtype, -x);
}

// float16 is not a dtype any derived-bound backend computes today; kept sound by widening by 2^-24 relative.
function roundDownTo16(x: number): number {
  return x - Math.abs(x) * 2 ** -10 - 2 ** -24;
}

/** A float64 lower bound for the exact sum `a + b` of two float64 values (TwoSum's sign of the error). */
export function sumLower(a: number, b: number): number {
  const s = a + b;
  if (!Number.isFinite(s)) return s;
  const bb = s - a;
  const err = a - (s - bb) + (b - bb);
  return err < 0 ? nextDown64(s) : s;
}

export const sumUpper = (a: number, b: number): number => -sumLower(-a, -b);

/** Lower/upper float64 bounds for a product of two float64 values (exact for float32 operands). */
export function productLower(a: number, b: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || (Math.fround(a) === a && Math.fround(b) === b)) return p;
  return nextDown64(p);
}

export const productUpper = (a: number, b: number): number => -productLower(-a, b);

/** Bounds for a quotient (float64 division is correctly rounded, so one step out suffices). */
export const quotientLower = (a: number, b: number): number => nextDown64(a / b);
export const quotientUpper = (a: number, b: number): number => nextUp64(a / b);

/** Smallest normal float32. */
export const MIN_NORMAL32 = 2 ** -126;

/**
 * The larger of the two float32 gaps around `x` (WGSL's ULP is the gap between the floats bracketing
 * x; the larger one keeps a bound stated in ULPs sound at binade edges).
 */
export function ulp32(x: number): number {
  const a = Math.abs(x);
  if (a < MIN_NORMAL32) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

/** A float32 lower bound for every value within `k` ULPs of some real ≥ `lo` (lo a float64 lower bound). */
export function widenDown32(lo: number, k: number): number {
  if (!Number.isFinite(lo)) return lo;
  const u = Math.max(ulp32(lo), ulp32(roundDown32(lo)));
  return roundDown32(nextDown64(lo - k * u));
}

export const widenUp32 = (hi: number, k: number): number => -widenDown32(-hi, k);

/** The float32 ordinal of a value (consecutive floats differ by 1; ±0 both map to 0). */
export function ordinal32(x: number): number {
  f32[0] = x;
  const i = u32[0]!;
  return i < 0 ? -(i & 0x7fffffff) : i;
}

/** Distance in float32 steps between two float32 values (NaN: Infinity). */
export function ulpsBetween32(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(ordinal32(a) - ordinal32(b));
}
