import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import { F16_MAX, f16FromBits, f16round, f16ToBits } from "../../../spec/numerics/float16.js";
import { clauses } from "../../helpers/clauses.js";

const view = new DataView(new ArrayBuffer(8));
function nextUp(x: number): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n); // x > 0 only
  return view.getFloat64(0);
}
function nextDown(x: number): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n); // x > 0 only
  return view.getFloat64(0);
}

/** All non-negative finite float16 values in increasing order; index = bit pattern. */
const TABLE: number[] = Array.from({ length: 0x7c00 }, (_, b) => f16FromBits(b));

/**
 * Independent reference: nearest neighbour in TABLE by binary search. The midpoint of two
 * consecutive float16 values has at most 12 significant bits, so it is an exact double and the
 * comparison with it decides the rounding exactly. Beyond 65504 the next "value" is 2^16 (→ Inf).
 */
function refRound(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const a = Math.abs(x);
  let lo = 0;
  let hi = TABLE.length; // index TABLE.length stands for 2^16
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((TABLE[mid] as number) <= a) lo = mid;
    else hi = mid;
  }
  const below = TABLE[lo] as number;
  const above = hi < TABLE.length ? (TABLE[hi] as number) : 65536;
  const midpoint = (below + above) / 2;
  const pick = a < midpoint ? lo : a > midpoint ? hi : lo % 2 === 0 ? lo : hi;
  const r = pick < TABLE.length ? (TABLE[pick] as number) : Infinity;
  return x < 0 ? -r : r;
}

describe(`float16 conversions [${clauses("numerics.float16.round", "numerics.float16.bits")}]`, () => {
  it("round-trips every one of the 65536 bit patterns, and f16round is the identity on them", () => {
    for (let b = 0; b < 0x10000; b++) {
      const v = f16FromBits(b);
      const isNaN16 = (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;
      if (isNaN16) {
        expect(Number.isNaN(v)).toBe(true);
        const back = f16ToBits(v);
        // JS engines need not keep NaN payloads; a NaN must at least map back to a NaN pattern.
        expect((back & 0x7c00) === 0x7c00 && (back & 0x3ff) !== 0).toBe(true);
        continue;
      }
      expect(f16ToBits(v)).toBe(b);
      expect(Object.is(f16round(v), v)).toBe(true);
    }
  });

  it("decodes known patterns", () => {
    expect(f16FromBits(0x3c00)).toBe(1);
    expect(f16FromBits(0x7bff)).toBe(F16_MAX);
    expect(f16FromBits(0x0001)).toBe(2 ** -24);
    expect(f16FromBits(0x0400)).toBe(2 ** -14);
    expect(f16FromBits(0xfc00)).toBe(-Infinity);
    expect(Object.is(f16FromBits(0x8000), -0)).toBe(true);
    expect(f16ToBits(NaN)).toBe(0x7e00);
    // V8 negates NaN by flipping its sign bit; either sign is a valid answer here.
    expect(f16ToBits(-NaN) & 0x7fff).toBe(0x7e00);
  });

  it("rounds every midpoint between consecutive float16 values to the even neighbour", () => {
    for (let b = 0; b < 0x7bff; b++) {
      const lo = TABLE[b] as number;
      const hi = TABLE[b + 1] as number;
      const mid = (lo + hi) / 2;
      const even = b % 2 === 0 ? lo : hi;
      expect(f16round(mid)).toBe(even);
      expect(f16round(-mid)).toBe(-even);
      expect(f16round(nextDown(mid))).toBe(lo);
      expect(f16round(nextUp(mid))).toBe(hi);
    }
  });

  it("handles the subnormal boundary and underflow", () => {
    const minSub = 2 ** -24;
    expect(f16round(minSub / 2)).toBe(0); // tie with 0 → even (0)
    expect(Object.is(f16round(-minSub / 2), -0)).toBe(true);
    expect(f16round(nextUp(minSub / 2))).toBe(minSub);
    expect(f16round(1.5 * minSub)).toBe(2 * minSub); // tie → even (2)
    expect(f16round(2.5 * minSub)).toBe(2 * minSub);
    expect(f16round(2 ** -14 - minSub / 2)).toBe(2 ** -14); // largest subnormal + half → tie → even
    expect(f16round(Number.MIN_VALUE)).toBe(0);
    expect(f16round(1e-300)).toBe(0);
  });

  it("handles the overflow boundary", () => {
    expect(f16round(65519.99)).toBe(65504);
    expect(f16round(nextDown(65520))).toBe(65504);
    expect(f16round(65520)).toBe(Infinity);
    expect(f16round(-65520)).toBe(-Infinity);
    expect(f16round(1e300)).toBe(Infinity);
    expect(f16round(Infinity)).toBe(Infinity);
    expect(f16round(-Infinity)).toBe(-Infinity);
    expect(Number.isNaN(f16round(NaN))).toBe(true);
    expect(Object.is(f16round(-0), -0)).toBe(true);
  });

  it("does not double-round through float32", () => {
    // 1 + 2^-11 + 2^-40 is just above the midpoint 1 + 2^-11; via float32 it becomes the tie.
    const x = 1 + 2 ** -11 + 2 ** -40;
    expect(Math.fround(x)).toBe(1 + 2 ** -11);
    expect(f16round(x)).toBe(1 + 2 ** -10);
  });

  fcTest.prop([fc.double()], { numRuns: 20000 })("matches the nearest-neighbour reference for any double", (x) => {
    expect(Object.is(f16round(x), refRound(x))).toBe(true);
  });

  fcTest.prop([fc.double({ min: -70000, max: 70000 })], { numRuns: 20000 })(
    "matches the reference in the float16 range",
    (x) => {
      expect(Object.is(f16round(x), refRound(x))).toBe(true);
    },
  );

  fcTest.prop([fc.integer({ min: 0, max: 0x7bfe }), fc.integer({ min: -3, max: 3 })], { numRuns: 20000 })(
    "matches the reference a few double ulps around midpoints",
    (b, steps) => {
      let x = ((TABLE[b] as number) + (TABLE[b + 1] as number)) / 2;
      for (let i = 0; i < Math.abs(steps); i++) x = x === 0 ? x : steps > 0 ? nextUp(x) : nextDown(x);
      expect(f16round(x)).toBe(refRound(x));
      expect(f16ToBits(x)).toBe(f16ToBits(refRound(x)));
    },
  );
});
