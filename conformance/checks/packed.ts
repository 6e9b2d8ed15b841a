/**
 * Packed buffers, as a multi-tensor backend sees a model: several cases laid out in one buffer per
 * quantity at their own offsets, separated by gaps (and a lead-in and a tail) filled with guard
 * values that the kernel must leave untouched. Every kernel and hook check goes through a pack, so
 * a kernel that ignores `Segment.offset`, applies one segment's settings to all, drops a segment or
 * writes outside its segments is caught.
 */
import fc from "fast-check";
import type { Dtype, NDArray } from "../../spec/index.js";
import { roundTo } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import type { Body } from "./drive.js";
import { sameBits } from "./compare.js";

/** Where each case sits in the packed buffers. */
export interface Layout {
  readonly total: number;
  readonly offsets: readonly number[];
  readonly lengths: readonly number[];
}

/** A pack: its cases and the gaps before, between and after them (`gaps.length = cases.length + 1`). */
export interface Pack<C> {
  readonly cases: readonly C[];
  readonly gaps: readonly number[];
}

/** One to four cases with gaps of 0 to 5 elements (mostly non-zero, so offset 0 is the exception). */
export function packArb<C>(caseArb: fc.Arbitrary<C>, maxCases = 4): fc.Arbitrary<Pack<C>> {
  return fc
    .array(caseArb, { minLength: 1, maxLength: maxCases })
    .chain((cases) =>
      fc
        .array(
          fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constant(0) }),
          { minLength: cases.length + 1, maxLength: cases.length + 1 },
        )
        .map((gaps) => ({ cases, gaps })),
    );
}

export function layoutOf(lengths: readonly number[], gaps: readonly number[]): Layout {
  const offsets: number[] = [];
  let at = gaps[0] ?? 0;
  lengths.forEach((n, k) => {
    offsets.push(at);
    at += n + (gaps[k + 1] ?? 0);
  });
  return { total: at, offsets, lengths };
}

/** The guard value at element `i` of buffer number `which`: distinct per buffer, exact in every dtype. */
export function guardValue(dtype: Dtype, which: number, i: number): number {
  return roundTo(dtype, -(1000 + 16 * which + (i % 13) + 0.25));
}

/** A packed buffer's contents: guards everywhere, each case's data at its offset. */
export function packedData(dtype: Dtype, layout: Layout, which: number, parts: readonly NDArray[]): Float64Array {
  const out = new Float64Array(layout.total);
  for (let i = 0; i < out.length; i++) out[i] = guardValue(dtype, which, i);
  parts.forEach((p, k) => out.set(p.data, layout.offsets[k] as number));
  return out;
}

/** Whether element `i` lies inside a segment. */
export function inSegment(layout: Layout, i: number): boolean {
  return layout.offsets.some((o, k) => i >= o && i < o + (layout.lengths[k] as number));
}

/** The first element outside every segment whose guard was changed, or -1. */
export function firstGuardViolation(dtype: Dtype, layout: Layout, which: number, data: Float64Array): number {
  for (let i = 0; i < data.length; i++) {
    if (!inSegment(layout, i) && !sameBits(guardValue(dtype, which, i), data[i] as number)) return i;
  }
  return -1;
}

export function slice(dtype: Dtype, data: Float64Array, offset: number, length: number): NDArray {
  return { dtype, shape: [length], data: data.slice(offset, offset + length) };
}

/** Allocate a packed buffer on the backend and write it (yields the write's result). */
export function* upload(backend: AnyBackend, dtype: Dtype, data: Float64Array): Body<unknown> {
  const buf = backend.memory.alloc(dtype, data.length);
  yield backend.memory.write(buf, data, 0);
  return buf;
}

/** Read a whole buffer back. */
export function* download(backend: AnyBackend, buf: unknown, length: number): Body<Float64Array> {
  const data = (yield backend.memory.read(buf, 0, length)) as Float64Array;
  return Float64Array.from(data);
}
