/**
 * Judging a backend's output against the derived intervals, element by element: inside, outside
 * the interval (a failure, with both values, the bounds and the clause), or outside the promise
 * (the spec's value or an intermediate is NaN/infinite, a divisor outside the declared domain:
 * counted apart, never as passed). The tallies keep the largest observed distance from the spec's
 * value and the largest interval width, both in ULPs, so a bound far too loose is visible.
 */
import type { Interval } from "./context.js";
import { ulpsBetween32 } from "./rounding.js";

export interface IntervalFailure {
  readonly what: string;
  readonly clause: string;
  readonly index: number;
  readonly actual: number;
  readonly spec: number;
  readonly lo: number;
  readonly hi: number;
}

export interface Tally {
  inside: number;
  outsidePromise: number;
  failed: number;
  /** Elements whose interval was widened because a subnormal input, intermediate or result may flush. */
  flushed: number;
  /** Largest distance, in float32 ULPs, of a backend value from the spec's value (inside the promise, no subnormal involved). */
  maxDistance: number;
  /** The same where a subnormal was involved (flushing may move a value far, within its interval). */
  maxDistanceFlushed: number;
  /** Largest interval width in float32 ULPs (elements inside the promise, no subnormal involved). */
  maxWidth: number;
  /** Interval widths seen (for the median in reports). */
  widths: number[];
}

/** The median interval width of a tally, in float32 ULPs. */
export function medianWidth(t: Tally): number {
  if (t.widths.length === 0) return 0;
  const w = [...t.widths].sort((a, b) => a - b);
  return w[Math.floor(w.length / 2)]!;
}

export const emptyTally = (): Tally => ({
  inside: 0,
  outsidePromise: 0,
  failed: 0,
  flushed: 0,
  maxDistance: 0,
  maxDistanceFlushed: 0,
  maxWidth: 0,
  widths: [],
});

export function addTally(into: Tally, t: Tally): void {
  into.inside += t.inside;
  into.outsidePromise += t.outsidePromise;
  into.failed += t.failed;
  into.flushed += t.flushed;
  into.widths.push(...t.widths);
  into.maxDistance = Math.max(into.maxDistance, t.maxDistance);
  into.maxDistanceFlushed = Math.max(into.maxDistanceFlushed, t.maxDistanceFlushed);
  into.maxWidth = Math.max(into.maxWidth, t.maxWidth);
}

/** Compares `actual` with `spec` (numpy's values) and their intervals; returns the first failures. */
export function judge(
  what: string,
  clause: string,
  spec: ArrayLike<number>,
  iv: Interval,
  actual: ArrayLike<number>,
  tally: Tally,
): IntervalFailure[] {
  const failures: IntervalFailure[] = [];
  for (let i = 0; i < spec.length; i++) {
    if (iv.outside[i] === 1) {
      tally.outsidePromise++;
      continue;
    }
    const a = actual[i]!;
    const lo = iv.lo[i]!;
    const hi = iv.hi[i]!;
    if (a >= lo && a <= hi) {
      tally.inside++;
      const d = ulpsBetween32(a, spec[i]!);
      if (iv.flushed?.[i] === 1) {
        tally.flushed++;
        tally.maxDistanceFlushed = Math.max(tally.maxDistanceFlushed, d);
      } else tally.maxDistance = Math.max(tally.maxDistance, d);
      // Widths where a subnormal may flush span down to zero; they are counted apart (`flushed`).
      if (iv.flushed?.[i] !== 1) {
        const w = ulpsBetween32(lo, hi);
        tally.maxWidth = Math.max(tally.maxWidth, w);
        tally.widths.push(w);
      }
    } else {
      tally.failed++;
      if (failures.length < 3) failures.push({ what, clause, index: i, actual: a, spec: spec[i]!, lo, hi });
    }
  }
  return failures;
}

export function formatIntervalFailure(f: IntervalFailure): string {
  return `${f.what} element ${f.index}: backend ${f.actual} outside [${f.lo}, ${f.hi}] (spec ${f.spec}) [${f.clause}]`;
}
