/** Element-wise comparison under a backend's numeric promise. */
import type { Dtype, NDArray } from "../../spec/index.js";
import { toBits, ulpDistance } from "../golden/encoding.js";
import { Mismatch } from "./types.js";

/** Compare; throw a Mismatch when a difference exceeds `allowedUlp`. Returns the largest distance. */
export function expectClose(what: string, clause: string, expected: NDArray, actual: NDArray, allowedUlp: number): number {
  let max = 0;
  if (expected.data.length !== actual.data.length) throw new Mismatch({ what, clause, detail: `length ${actual.data.length}, expected ${expected.data.length}` });
  const dtype: Dtype = expected.dtype;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i] as number;
    const a = actual.data[i] as number;
    if (Object.is(e, a) || (Number.isNaN(e) && Number.isNaN(a))) continue;
    const ulp = ulpDistance(dtype, e, a);
    if (ulp > allowedUlp) {
      throw new Mismatch({ what, clause, index: i, expected: e, actual: a, expectedBits: toBits(dtype, e), actualBits: toBits(dtype, a), ulp });
    }
    max = Math.max(max, ulp);
  }
  return max;
}

export function describeArray(a: NDArray): string {
  const vals = Array.from(a.data, (x) => `${Object.is(x, -0) ? "-0" : x}`);
  return `${a.dtype}[${vals.join(", ")}]`;
}
