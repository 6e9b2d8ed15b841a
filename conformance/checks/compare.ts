/**
 * Element-wise comparison under a backend's numeric promise. An exact backend must produce the
 * same bits as the spec (any NaN equals any NaN, since JS engines need not keep NaN payloads);
 * +0 against −0 is a difference, reported as such. A bounded backend is allowed its ULP distance.
 */
import type { Dtype, NDArray } from "../../spec/index.js";
import { toBits, ulpDistance } from "../golden/encoding.js";
import { Mismatch } from "./types.js";

/** Whether `a` is the same value as `e` bit for bit (NaN payloads aside). */
export function sameBits(e: number, a: number): boolean {
  return Object.is(e, a) || (Number.isNaN(e) && Number.isNaN(a));
}

/** A signed-zero difference: one side +0, the other −0. */
export function signedZeroDiffers(e: number, a: number): boolean {
  return e === 0 && a === 0 && !Object.is(e, a);
}

/** Whether one element passes: same bits when `allowedUlp` is 0, else within `allowedUlp`. */
export function elementPasses(dtype: Dtype, e: number, a: number, allowedUlp: number): boolean {
  if (sameBits(e, a)) return true;
  if (allowedUlp === 0) return false;
  return ulpDistance(dtype, e, a) <= allowedUlp;
}

/** Indices of the elements of `actual` that do not pass against `expected`. */
export function failingIndices(expected: NDArray, actual: NDArray, allowedUlp: number): number[] {
  const out: number[] = [];
  const n = Math.min(expected.data.length, actual.data.length);
  for (let i = 0; i < n; i++) {
    if (!elementPasses(expected.dtype, expected.data[i] as number, actual.data[i] as number, allowedUlp)) out.push(i);
  }
  return out;
}

function zeroName(x: number): string {
  return Object.is(x, -0) ? "-0" : "+0";
}

/** Compare; throw a Mismatch at the first failing element (with the count of failing elements). Returns the largest distance. */
export function expectClose(
  what: string,
  clause: string,
  expected: NDArray,
  actual: NDArray,
  allowedUlp: number,
): number {
  if (expected.data.length !== actual.data.length)
    throw new Mismatch({ what, clause, detail: `length ${actual.data.length}, expected ${expected.data.length}` });
  const dtype: Dtype = expected.dtype;
  const bad = failingIndices(expected, actual, allowedUlp);
  if (bad.length > 0) {
    const i = bad[0] as number;
    const e = expected.data[i] as number;
    const a = actual.data[i] as number;
    const zero = signedZeroDiffers(e, a);
    const more = bad.length > 1 ? `${bad.length} of ${expected.data.length} elements differ` : "";
    const detail = [zero ? `signed zero: backend ${zeroName(a)}, spec ${zeroName(e)}` : "", more]
      .filter((s) => s !== "")
      .join("; ");
    throw new Mismatch({
      what,
      clause,
      index: i,
      expected: e,
      actual: a,
      expectedBits: toBits(dtype, e),
      actualBits: toBits(dtype, a),
      ulp: ulpDistance(dtype, e, a),
      failing: bad.length,
      ...(detail !== "" ? { detail } : {}),
    });
  }
  let max = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i] as number;
    const a = actual.data[i] as number;
    if (!sameBits(e, a)) max = Math.max(max, ulpDistance(dtype, e, a));
  }
  return max;
}

export function describeArray(a: NDArray): string {
  const vals = Array.from(a.data, (x) => `${Object.is(x, -0) ? "-0" : x}`);
  return `${a.dtype}[${vals.join(", ")}]`;
}
