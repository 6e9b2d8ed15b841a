import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import {
  type LegacyRandomState,
  legacyGauss,
  normal,
  randomDoubles,
  seedLegacy,
} from "../../../spec/numerics/mt19937.js";
import { logCorrectlyRounded } from "../../../spec/numerics/log.js";
import { fromBitsHex, toBitsHex } from "../../../spec/numerics/bits.js";
import { clauses } from "../../helpers/clauses.js";

// ---------------------------------------------------------------------------------------------
// Fixture: numpy 2.4.6 legacy RandomState streams (gen_numpy_legacy_normal.py in ./fixtures).

interface StateRec {
  pos: number;
  has_gauss: boolean;
  gauss: string;
  key?: number[];
}
interface NormalCall {
  op: "normal";
  loc: string;
  scale: string;
  size: number | null;
  out: string[];
  state_after: StateRec;
}
interface SampleCall {
  op: "random_sample";
  size: number;
  out: string[];
  state_after: StateRec;
}
type Call = NormalCall | SampleCall;
interface Vector {
  seed: number;
  initial_state: StateRec | null;
  calls: Call[];
}
interface Stream {
  seed: number;
  op: "normal" | "random_sample";
  loc?: string;
  scale?: string;
  size: number;
  sha256_f64le: string;
  first: string[];
  last: string;
  state_after: StateRec;
}
interface Fixture {
  generated_by: string;
  log_args_seen: number;
  glibc_log: Record<string, [string, string]>;
  vectors: Vector[];
  streams: Stream[];
  log_cases: [string, string, string][];
}

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/numpy-legacy-normal.json", import.meta.url), "utf8"),
) as Fixture;

const hexOf = (x: number): string => toBitsHex("float64", x);
const fromHex = (h: string): number => fromBitsHex("float64", h);
const hexes = (a: Float64Array): string[] => Array.from(a, hexOf);

/** glibc's log where it is not correctly rounded (as recorded by the generator), else ours. */
const glibcValues = new Map(Object.entries(fixture.glibc_log).map(([k, [g]]) => [k, fromHex(g)]));
const glibcUsed = new Set<string>();
function glibcLog(x: number): number {
  const h = hexOf(x);
  const g = glibcValues.get(h);
  if (g === undefined) return logCorrectlyRounded(x);
  glibcUsed.add(h);
  return g;
}

function expectState(s: LegacyRandomState, rec: StateRec, gaussToo = true): void {
  expect(s.pos).toBe(rec.pos);
  expect(s.hasGauss).toBe(rec.has_gauss);
  if (gaussToo) expect(s.gaussBits).toBe(rec.gauss);
  if (rec.key) expect(s.key).toEqual(rec.key);
}

function draw(s: LegacyRandomState, c: Call, log?: (x: number) => number) {
  if (c.op === "random_sample") return randomDoubles(s, c.size);
  return normal(s, fromHex(c.loc), fromHex(c.scale), c.size ?? 1, log ? { log } : {});
}

// ---------------------------------------------------------------------------------------------

describe(`seedLegacy = numpy.random.RandomState(seed) [${clauses("numerics.rng.seed", "numerics.rng.mt19937")}]`, () => {
  const seeded = fixture.vectors.filter((v) => v.initial_state !== null);
  it(`gives numpy's initial state for ${seeded.length} seeds`, () => {
    for (const v of seeded) {
      const s = seedLegacy(v.seed);
      expectState(s, v.initial_state!);
      expect(s.key.length).toBe(624);
      expect(s.gauss).toBe(0);
    }
  });

  it("refuses seeds numpy refuses, and non-integers", () => {
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, Infinity, -0.5]) {
      expect(() => seedLegacy(bad)).toThrow(RangeError);
    }
    expect(() => seedLegacy(2 ** 32 - 1)).not.toThrow();
  });
});

describe(`replay of numpy's legacy streams [${clauses("numerics.rng.mt19937", "numerics.rng.random-sample", "numerics.rng.legacy-gauss", "numerics.rng.normal", "numerics.rng.log")}]`, () => {
  let valuesChecked = 0;
  it("normal and random_sample match numpy bit for bit (glibc's log at its misrounded arguments)", () => {
    for (const v of fixture.vectors) {
      let s = seedLegacy(v.seed);
      v.calls.forEach((c, i) => {
        const r = draw(s, c, glibcLog);
        expect(hexes(r.values), `seed ${v.seed} call ${i}`).toEqual(c.out);
        expectState(r.state, c.state_after);
        valuesChecked += c.out.length;
        s = r.state;
      });
    }
    expect(valuesChecked).toBe(fixture.vectors.reduce((n, v) => n + v.calls.reduce((m, c) => m + c.out.length, 0), 0));
    expect(valuesChecked).toBeGreaterThan(12000);
  });

  it("long streams match numpy's SHA-256 digests", () => {
    for (const st of fixture.streams) {
      const s = seedLegacy(st.seed);
      const r =
        st.op === "normal"
          ? normal(s, fromHex(st.loc!), fromHex(st.scale!), st.size, { log: glibcLog })
          : randomDoubles(s, st.size);
      expect(hexes(r.values.subarray(0, 4))).toEqual(st.first);
      expect(hexOf(r.values[st.size - 1]!)).toBe(st.last);
      const bytes = Buffer.from(r.values.buffer, r.values.byteOffset, r.values.byteLength); // little-endian hosts
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(st.sha256_f64le);
      expectState(r.state, st.state_after);
    }
  });

  it("every recorded glibc misrounding was exercised by the replays", () => {
    expect(glibcUsed.size).toBe(glibcValues.size);
    expect(glibcValues.size).toBeGreaterThan(0);
  });

  it("with the spec's correctly rounded log, only draws behind a glibc misrounding differ, by ≤ 2 ulp", () => {
    let hits = 0;
    const countingLog = (x: number): number => {
      if (glibcValues.has(hexOf(x))) hits += 1;
      return logCorrectlyRounded(x);
    };
    let differing = 0;
    let compared = 0;
    for (const v of fixture.vectors) {
      let s = seedLegacy(v.seed);
      for (const c of v.calls) {
        const r = draw(s, c, countingLog);
        r.values.forEach((x, j) => {
          compared += 1;
          const want = fromHex(c.out[j]!);
          if (Object.is(x, want)) return;
          differing += 1;
          expect(c.op).toBe("normal");
          expect(Math.abs(x - want)).toBeLessThanOrEqual(2 * 2 ** -52 * Math.abs(want));
        });
        // The words, position and cache flag never depend on log; the cached value may.
        expectState(r.state, c.state_after, false);
        s = r.state;
      }
    }
    expect(compared).toBeGreaterThan(12000);
    expect(differing).toBeLessThanOrEqual(2 * hits);
  });
});

describe(`logCorrectlyRounded [${clauses("numerics.rng.log")}]`, () => {
  it(`is the correctly rounded ln on ${fixture.log_cases.length} arguments (60-digit decimal reference)`, () => {
    for (const [x, cr] of fixture.log_cases) expect(hexOf(logCorrectlyRounded(fromHex(x))), x).toBe(cr);
  });

  it("is correctly rounded where glibc is not", () => {
    for (const [x, [, cr]] of Object.entries(fixture.glibc_log)) {
      expect(hexOf(logCorrectlyRounded(fromHex(x))), x).toBe(cr);
    }
  });

  it("special values follow C99", () => {
    expect(logCorrectlyRounded(1)).toBe(0);
    expect(Object.is(logCorrectlyRounded(1), 0)).toBe(true);
    expect(logCorrectlyRounded(0)).toBe(-Infinity);
    expect(logCorrectlyRounded(-0)).toBe(-Infinity);
    expect(logCorrectlyRounded(-1)).toBeNaN();
    expect(logCorrectlyRounded(Number.NaN)).toBeNaN();
    expect(logCorrectlyRounded(Infinity)).toBe(Infinity);
  });
});

// ---------------------------------------------------------------------------------------------
// Purity, stream splitting and JSON.

/** A state after `pre` gaussian draws and `preU` uniforms, so pos and the cache vary. */
function advanced(seed: number, pre: number, preU: number): LegacyRandomState {
  return randomDoubles(normal(seedLegacy(seed), 0, 1, pre).state, preU).state;
}

const arbSeed = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe("purity", () => {
  it("never modifies the input state", () => {
    const s = advanced(11, 3, 2); // odd count: a cached deviate
    expect(s.hasGauss).toBe(true);
    const before = structuredClone(s);
    const r1 = normal(s, 0, 0.5, 1000);
    const r2 = randomDoubles(s, 700);
    const r3 = legacyGauss(s);
    expect(s).toEqual(before);
    for (const r of [r1, r2, r3]) {
      expect(r.state).not.toBe(s);
      expect(r.state.key).not.toBe(s.key);
    }
    // Same input, same output.
    expect(hexes(normal(s, 0, 0.5, 1000).values)).toEqual(hexes(r1.values));
    expect(r3.value).toBe(fromHex(s.gaussBits));
  });

  fcTest.prop([arbSeed, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 700 })], { numRuns: 30 })(
    "input state deep-equal before and after any draw",
    (seed, pre, n) => {
      const s = advanced(seed, pre, pre % 3);
      const before = JSON.stringify(s);
      normal(s, 1, 2, n);
      randomDoubles(s, n);
      legacyGauss(s);
      expect(JSON.stringify(s)).toBe(before);
    },
  );
});

describe("splitting a draw", () => {
  const arbSplit = fc
    .record({
      seed: arbSeed,
      pre: fc.integer({ min: 0, max: 30 }),
      preU: fc.integer({ min: 0, max: 700 }),
      n: fc.integer({ min: 0, max: 1500 }),
      loc: fc.constantFrom(0, 1.5, -3.25),
      scale: fc.constantFrom(1, 0.01, 0.3, 0),
    })
    .chain((r) => fc.record({ k: fc.integer({ min: 0, max: r.n }) }).map(({ k }) => ({ ...r, k })));

  fcTest.prop([arbSplit], { numRuns: 60 })(
    "normal(n) = normal(k) then normal(n − k), values and state",
    ({ seed, pre, preU, n, k, loc, scale }) => {
      const s = advanced(seed, pre, preU);
      const whole = normal(s, loc, scale, n);
      const a = normal(s, loc, scale, k);
      const b = normal(a.state, loc, scale, n - k);
      expect([...hexes(a.values), ...hexes(b.values)]).toEqual(hexes(whole.values));
      expect(b.state).toEqual(whole.state);
    },
  );

  fcTest.prop([arbSplit], { numRuns: 60 })(
    "randomDoubles(n) = randomDoubles(k) then randomDoubles(n − k)",
    ({ seed, pre, preU, n, k }) => {
      const s = advanced(seed, pre, preU);
      const whole = randomDoubles(s, n);
      const a = randomDoubles(s, k);
      const b = randomDoubles(a.state, n - k);
      expect([...hexes(a.values), ...hexes(b.values)]).toEqual(hexes(whole.values));
      expect(b.state).toEqual(whole.state);
    },
  );

  fcTest.prop([arbSeed, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 40 })], { numRuns: 30 })(
    "legacyGauss one at a time = normal(0, 1, n)",
    (seed, pre, n) => {
      const s = advanced(seed, pre, 0);
      const whole = normal(s, 0, 1, n);
      let t = s;
      const one: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = legacyGauss(t);
        one.push(r.value);
        t = r.state;
      }
      expect(one.map(hexOf)).toEqual(hexes(whole.values));
      expect(t).toEqual(whole.state);
    },
  );
});

describe("JSON round trip", () => {
  fcTest.prop([arbSeed, fc.integer({ min: 0, max: 1300 }), fc.integer({ min: 0, max: 5 })], { numRuns: 30 })(
    "a state survives JSON.stringify/parse and continues the same stream",
    (seed, pre, preU) => {
      const s = advanced(seed, pre, preU);
      const t = JSON.parse(JSON.stringify(s)) as LegacyRandomState;
      expect(t).toEqual(s);
      expect(hexes(normal(t, 0, 1, 9).values)).toEqual(hexes(normal(s, 0, 1, 9).values));
    },
  );

  it("gaussBits carries what JSON cannot (−0, NaN)", () => {
    const base = legacyGauss(seedLegacy(3)).state;
    for (const g of [-0, Number.NaN]) {
      const s: LegacyRandomState = { ...base, gauss: g, gaussBits: hexOf(g) };
      const t = JSON.parse(JSON.stringify(s)) as LegacyRandomState;
      expect(Object.is(legacyGauss(t).value, g)).toBe(true);
    }
  });

  it("malformed states are refused", () => {
    const s = seedLegacy(5);
    const bad: unknown[] = [
      { ...s, key: s.key.slice(1) },
      { ...s, key: [...s.key.slice(1), 2 ** 32] },
      { ...s, pos: 625 },
      { ...s, pos: 1.5 },
      { ...s, gaussBits: "xyz" },
      { ...s, gauss: 1 }, // disagrees with gaussBits
      { ...s, hasGauss: 1 },
    ];
    for (const b of bad) expect(() => randomDoubles(b as LegacyRandomState, 1)).toThrow(TypeError);
  });
});

describe("argument checks as numpy", () => {
  const s = seedLegacy(0);
  it("scale < 0 (including −0) is refused; NaN scale is not", () => {
    expect(() => normal(s, 0, -1, 3)).toThrow(RangeError);
    expect(() => normal(s, 0, -0, 3)).toThrow(RangeError);
    expect(Array.from(normal(s, 0, Number.NaN, 2).values).every(Number.isNaN)).toBe(true);
  });
  it("counts must be non-negative integers", () => {
    for (const n of [-1, 1.5, Number.NaN]) {
      expect(() => normal(s, 0, 1, n)).toThrow(RangeError);
      expect(() => randomDoubles(s, n)).toThrow(RangeError);
    }
    expect(normal(s, 0, 1, 0).state).toEqual(s);
  });
});
