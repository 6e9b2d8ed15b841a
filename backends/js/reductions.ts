/**
 * Reductions of the JS backend.
 *
 * - `sumSquares`: `dot(x, x)` as `numerics.dot.sequential` defines it: `acc = acc + x[i]·x[i]` from
 *   +0, each product and each sum rounded to the dtype (float32: `fround(acc + fround(x·x))`).
 * - `allFinite`: no NaN and no ±Inf in the segment.
 * - `scale`: `x ← x·D(rate)` (GradientClipping's rescale); a finite rate beyond float32's range
 *   multiplies in float64 and rounds once (numpy 1.x value-based casting).
 */
import type { Reductions } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { type JsBuffer, asF32, asF64, checkSegment } from "./memory.js";
import { scale32, scale64 } from "./hooks.js";

function sumSquares32(x: Float32Array, start: number, end: number): number {
  let acc = 0;
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    acc = Math.fround(acc + Math.fround(v * v));
  }
  return acc;
}

function sumSquares64(x: Float64Array, start: number, end: number): number {
  let acc = 0;
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    acc = acc + v * v;
  }
  return acc;
}

function allFinite32(x: Float32Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    // v − v is NaN exactly for NaN and ±Inf.
    if (v - v !== 0) return false;
  }
  return true;
}

function allFinite64(x: Float64Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    if (v - v !== 0) return false;
  }
  return true;
}

function noDtype(dtype: Dtype, what: string): never {
  throw new TypeError(`js backend: ${what} does not compute ${dtype}`);
}

export const jsReductions: Reductions<JsBuffer> = {
  sumSquares(dtype: Dtype, buf: JsBuffer, offset: number, length: number): number {
    checkSegment(offset, length, buf.length);
    if (dtype === "float32") return sumSquares32(asF32(buf, "buffer"), offset, offset + length);
    if (dtype === "float64") return sumSquares64(asF64(buf, "buffer"), offset, offset + length);
    return noDtype(dtype, "sumSquares");
  },
  allFinite(dtype: Dtype, buf: JsBuffer, offset: number, length: number): boolean {
    checkSegment(offset, length, buf.length);
    if (dtype === "float32") return allFinite32(asF32(buf, "buffer"), offset, offset + length);
    if (dtype === "float64") return allFinite64(asF64(buf, "buffer"), offset, offset + length);
    return noDtype(dtype, "allFinite");
  },
  scale(dtype: Dtype, buf: JsBuffer, offset: number, length: number, rate: number): void {
    checkSegment(offset, length, buf.length);
    if (dtype === "float32") scale32(asF32(buf, "buffer"), offset, offset + length, rate);
    else if (dtype === "float64") scale64(asF64(buf, "buffer"), offset, offset + length, rate);
    else noDtype(dtype, "scale");
  },
};
