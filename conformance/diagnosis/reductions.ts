/**
 * Diagnose a wrong `sumSquares`: the catalog of summation mistakes (another order, lanes, pairwise,
 * a wider accumulator, a fused multiply-add, a skipped SIMD tail, the segment's offset ignored),
 * each computed here and compared bit for bit with the backend's result.
 */
import { type Dtype, type NDArray, roundTo } from "../../spec/index.js";
import type { Diagnosis } from "../report.js";
import { sameBits } from "../checks/compare.js";

type Sum = (xs: readonly number[], r: (v: number) => number) => number;

const sequential: Sum = (xs, r) => xs.reduce((acc, v) => r(acc + r(v * v)), 0);

function lanes(n: number): Sum {
  return (xs, r) => {
    const acc = Array.from({ length: n }, () => 0);
    xs.forEach((v, i) => (acc[i % n] = r((acc[i % n] as number) + r(v * v))));
    return acc.reduce((a, b) => r(a + b), 0);
  };
}

const pairwise: Sum = (xs, r) => {
  const go = (lo: number, hi: number): number =>
    hi - lo === 0 ? 0 : hi - lo === 1 ? r((xs[lo] as number) ** 2) : r(go(lo, (lo + hi) >> 1) + go((lo + hi) >> 1, hi));
  return go(0, xs.length);
};

interface SumVariant {
  readonly id: string;
  readonly mistake: string;
  value(x: NDArray, offset: number, buffer: Float64Array): number | null;
}

function rounder(dtype: Dtype): (v: number) => number {
  return (v) => roundTo(dtype, v);
}

const VARIANTS: readonly SumVariant[] = [
  ...[4, 8, 16].map((n): SumVariant => ({
    id: `lanes-${n}`,
    mistake: `${n} partial sums (SIMD lanes) added at the end`,
    value: (x) => lanes(n)(Array.from(x.data), rounder(x.dtype)),
  })),
  {
    id: "pairwise",
    mistake: "pairwise (tree) summation",
    value: (x) => pairwise(Array.from(x.data), rounder(x.dtype)),
  },
  {
    id: "reversed",
    mistake: "summation from the last element to the first",
    value: (x) => sequential(Array.from(x.data).reverse(), rounder(x.dtype)),
  },
  {
    id: "wide-accumulator",
    mistake: "a float64 accumulator rounded once at the end",
    value: (x) =>
      x.dtype === "float64"
        ? null
        : roundTo(
            x.dtype,
            sequential(Array.from(x.data), (v) => v),
          ),
  },
  {
    id: "fused-multiply-add",
    mistake: "`acc + x·x` fused (the square not rounded)",
    value: (x) => Array.from(x.data).reduce((acc, v) => roundTo(x.dtype, acc + v * v), 0),
  },
  ...[4, 16].map((n): SumVariant => ({
    id: `simd-tail-skipped-${n}`,
    mistake: `the SIMD tail skipped (elements past the last multiple of ${n})`,
    value: (x) =>
      x.data.length % n === 0
        ? null
        : sequential(Array.from(x.data).slice(0, x.data.length - (x.data.length % n)), rounder(x.dtype)),
  })),
  {
    id: "offset-ignored",
    mistake: "the segment read from offset 0",
    value: (x, offset, buffer) =>
      offset === 0 ? null : sequential(Array.from(buffer.subarray(0, x.data.length)), rounder(x.dtype)),
  },
];

export function diagnoseSumSquares(x: NDArray, actual: number, offset: number, buffer: Float64Array): Diagnosis {
  for (const v of VARIANTS) {
    const p = v.value(x, offset, buffer);
    if (p !== null && sameBits(p, actual)) {
      return {
        clause: "numerics.dot.sequential",
        variant: v.id,
        summary: `your sumSquares matches ${v.mistake} (the spec sums sequentially, rounding each square and each sum to ${x.dtype})`,
        matched: 1,
        failing: 1,
      };
    }
  }
  return {
    clause: "numerics.dot.sequential",
    variant: null,
    summary: "no catalogued summation mistake reproduces this sumSquares",
  };
}
