/**
 * IEEE 754 binary16 ("half", numpy float16) conversions, written out because Node 20 has no
 * `Math.f16round`.
 *
 * @clause numerics.float16.round A double converts to float16 by one rounding of its exact value to
 * the nearest float16 (ties to even), with subnormals rounded at the fixed quantum 2^-24, results
 * at or above 65520 in magnitude becoming ±Infinity, NaN staying NaN and the sign of zero kept.
 * Going through float32 first (`Math.fround`) is NOT equivalent: it can round twice.
 * @clause numerics.float16.bits The bit layout is sign(1) exponent(5, bias 15) fraction(10).
 * A NaN keeps its sign and the top 10 bits of its payload, and stays a NaN (quiet bit set when the
 * payload would vanish), as numpy's double→half cast does.
 */

const view = new DataView(new ArrayBuffer(8));

/** Largest finite float16. */
export const F16_MAX = 65504;

/** Adding and subtracting 2^52 rounds a number below 2^51 to an integer, ties to even. */
const ROUND_TO_INT = 2 ** 52;

function highWord(x: number): number {
  view.setFloat64(0, x);
  return view.getUint32(0);
}

/** Round a double to the nearest float16 value (returned as a double). @clause numerics.float16.round */
export function f16round(x: number): number {
  if (Number.isNaN(x) || x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  // Unbiased binary exponent of |x|; a double subnormal counts as very small, which is all we need.
  const e = ((highWord(a) >>> 20) & 0x7ff) - 1023;
  // Distance between float16 neighbours at this magnitude: 2^(e-10), never below the subnormal 2^-24.
  const quantum = 2 ** Math.max(e - 10, -24);
  // a / quantum < 2^11 is exact (power-of-two scaling), so the only rounding is the integer one.
  const r = (a / quantum + ROUND_TO_INT - ROUND_TO_INT) * quantum;
  const res = r > F16_MAX ? Infinity : r;
  return x < 0 ? -res : res;
}

/**
 * The uint16 bit pattern of `x` after rounding it to float16 (so any double is accepted).
 * @clause numerics.float16.bits
 */
export function f16ToBits(x: number): number {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const sign = (hi >>> 16) & 0x8000;
  if (Number.isNaN(x)) {
    const payload = (hi >>> 10) & 0x3ff; // top 10 of the 52 fraction bits
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload);
  }
  const h = Math.abs(f16round(x));
  if (h === Infinity) return sign | 0x7c00;
  if (h < 2 ** -14) return sign | (h * 2 ** 24); // subnormal or zero: fraction counts 2^-24 steps
  const e = ((highWord(h) >>> 20) & 0x7ff) - 1023;
  const frac = (h / 2 ** e) * 1024 - 1024; // exact: h has 11 significant bits
  return sign | ((e + 15) << 10) | frac;
}

/** The float16 value (as a double) of a uint16 bit pattern. @clause numerics.float16.bits */
export function f16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0x1f) {
    if (frac === 0) return sign * Infinity;
    // Build the double NaN directly so that sign and payload survive.
    view.setUint32(0, ((bits & 0x8000) << 16) | 0x7ff00000 | (frac << 10));
    view.setUint32(4, 0);
    return view.getFloat64(0);
  }
  if (exp === 0) return sign * frac * 2 ** -24;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}
