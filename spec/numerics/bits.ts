/**
 * IEEE-754 bit patterns of dtype values as fixed-width lowercase hex (4, 8 or 16 digits for
 * float16, float32, float64), big-endian as written: the one converter the lossless snapshots,
 * the random-state cache, the golden data and the reports share. Hex carries what JSON cannot
 * (−0, NaN, ±Infinity, and every bit of a double).
 */
import type { Dtype } from "./dtype.js";
import { f16FromBits, f16ToBits } from "./float16.js";

/** Hex digits per value of each dtype. */
export const BITS_HEX_WIDTH: Readonly<Record<Dtype, number>> = { float16: 4, float32: 8, float64: 16 };

const view = new DataView(new ArrayBuffer(8));

/** The bits of `x` rounded to `dtype` (x must already be a value of the dtype to round-trip). */
export function toBitsHex(dtype: Dtype, x: number): string {
  if (dtype === "float64") {
    view.setFloat64(0, x);
    return view.getBigUint64(0).toString(16).padStart(16, "0");
  }
  if (dtype === "float32") {
    view.setFloat32(0, x);
    return view.getUint32(0).toString(16).padStart(8, "0");
  }
  return f16ToBits(x).toString(16).padStart(4, "0");
}

/** The value whose bits `h` spells (the caller checks the width and digits it accepts). */
export function fromBitsHex(dtype: Dtype, h: string): number {
  if (dtype === "float64") {
    view.setBigUint64(0, BigInt(`0x${h}`));
    return view.getFloat64(0);
  }
  if (dtype === "float32") {
    view.setUint32(0, parseInt(h, 16));
    return view.getFloat32(0);
  }
  return f16FromBits(parseInt(h, 16));
}
