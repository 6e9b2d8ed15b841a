/**
 * The packed scalar table every backend's optimizer kernels read: layout, validation before any
 * write, the "the spec computes this segment" flag, `when`-gated scalars and memoized scalars.
 */
import { describe, expect, it } from "vitest";
import { OPTIMIZERS, StepsNotStartedError, alphaT, adaBoundBounds } from "../../spec/index.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import type { Segment } from "../../backends/contract.js";
import { SEG_LENGTH, SEG_OFFSET, SEG_SPEC, ScalarTable, scalarLayout } from "../../backends/kernel-scalars.js";

function defaults(def: OptimizerDef): Record<string, number | boolean | null> {
  const hp: Record<string, number | boolean | null> = {};
  for (const h of def.hyperparams) hp[h.name] = h.default;
  return { ...hp, ...def.fixed };
}

const adam = OPTIMIZERS["Adam"]!;
const desc = adam.kernelScalars!;
const hp = defaults(adam);
const MV = { m: 1, v: 1 };
const seg = (over: Partial<Segment> = {}): Segment => ({ offset: 0, length: 4, hp, t: 3, extras: {}, ...over });

describe("kernel scalars: every optimizer declares them", () => {
  for (const def of Object.values(OPTIMIZERS)) {
    it(`${def.name}: states match initState with every flag on, scalars have clauses`, () => {
      const d = def.kernelScalars;
      expect(d).toBeDefined();
      const on: Record<string, boolean> = {};
      for (const s of d!.scalars) if (s.role === "flag") on[s.name] = true;
      const hpOn = { ...defaults(def), ...(on["amsgrad"] ? { amsgrad: true } : {}) };
      const keys = Object.keys(def.initState({ dtype: "float32", shape: [0], data: new Float64Array(0) }, hpOn));
      expect(d!.states.map((s) => s.key)).toEqual(keys);
      for (const s of d!.scalars) expect(s.clause).toMatch(/^[a-z0-9-]+\.[a-z0-9.-]+$/);
    });
  }
});

describe("kernel scalars: the packed table", () => {
  it("lays out offset, length, spec, then the declared scalars in order", () => {
    const l = scalarLayout(desc);
    expect(l.stride).toBe(3 + desc.scalars.length);
    expect([l.field["offset"], l.field["length"], l.field["spec"]]).toEqual([SEG_OFFSET, SEG_LENGTH, SEG_SPEC]);
    desc.scalars.forEach((s, i) => expect(l.field[s.name]).toBe(3 + i));
  });

  it("fills Adam's scalars from the spec's helpers, zero where a flag is off", () => {
    const t = new ScalarTable("test", desc);
    const F = t.layout.field;
    const bound = { ...hp, adabound: true, weight_decay_rate: 0.5 };
    const row = t.pack(
      "float32",
      [seg({ offset: 2, length: 3 }), seg({ hp: bound, t: 7, extras: { initial_alpha: 0.002 } })],
      10,
      { m: 1, v: 1 },
    );
    const S = t.layout.stride;
    expect(row[F["offset"]!]).toBe(2);
    expect(row[F["length"]!]).toBe(3);
    expect(row[F["alpha_t"]!]).toBe(alphaT(hp, 3));
    expect(row[F["c1"]!]).toBe(1 - 0.9);
    expect(row[F["adabound"]!]).toBe(0);
    expect(row[F["lower"]!]).toBe(0);
    expect(row[F["decay"]!]).toBe(0);
    expect(row[F["b"]!]).toBe(-1);
    const [lo, up] = adaBoundBounds(bound, 7, 0.002);
    expect(row[S + F["lower"]!]).toBe(lo);
    expect(row[S + F["upper"]!]).toBe(up);
    expect(row[S + F["decay"]!]).toBe(1);
    expect(row[S + F["a"]!]).toBe(1 - 0.5);
    expect(row[S + F["alpha_t"]!]).toBe(alphaT(bound, 7));
    expect([row[F["spec"]!], row[S + F["spec"]!]]).toEqual([0, 0]);
  });

  it("marks a segment whose Python-float scalars widen float32 (not float64, not a dtype scalar)", () => {
    const t = new ScalarTable("test", desc);
    const F = t.layout.field;
    expect(t.pack("float32", [seg({ hp: { ...hp, eta: -1e39 } })], 4, MV)[F["spec"]!]).toBe(1);
    expect(t.pack("float64", [seg({ hp: { ...hp, eta: -1e39 } })], 4, MV)[F["spec"]!]).toBe(0);
    // Infinity does not widen (numpy's min_scalar_type of inf is float16).
    expect(t.pack("float32", [seg({ hp: { ...hp, eta: Infinity } })], 4, MV)[F["spec"]!]).toBe(0);
    // A bound beyond float32 matters only while adabound is on.
    const huge = { ...hp, final_lr: 1e300 };
    expect(t.pack("float32", [seg({ hp: huge })], 4, MV)[F["spec"]!]).toBe(0);
    expect(
      t.pack("float32", [seg({ hp: { ...huge, adabound: true }, extras: { initial_alpha: 1e-3 } })], 4, MV)[F["spec"]!],
    ).toBe(1);
    const rms = OPTIMIZERS["RMSprop"]!;
    const rt = new ScalarTable("test", rms.kernelScalars!);
    expect(
      rt.pack("float32", [{ offset: 0, length: 1, hp: { ...defaults(rms), eps: 1e39 }, t: 1, extras: {} }], 1, {
        ms: 1,
      })[SEG_SPEC],
    ).toBe(0);
  });

  it("validates every segment before returning: bounds, refusals, buffers and extras", () => {
    const t = new ScalarTable("test", desc);
    expect(() => t.pack("float32", [seg(), seg({ offset: 2, length: 3 })], 4, MV)).toThrow(RangeError);
    expect(() => t.pack("float32", [seg({ offset: -1 })], 4, MV)).toThrow(RangeError);
    expect(() => t.pack("float32", [seg({ length: 1.5 })], 4, MV)).toThrow(RangeError);
    expect(() => t.pack("float32", [seg({ hp: { ...hp, eps: 1e-50 } })], 4, MV)).toThrow(/too small for float32/);
    expect(() => t.pack("float64", [seg({ hp: { ...hp, eps: 1e-50 } })], 4, MV)).not.toThrow();
    expect(() => t.pack("float32", [seg({ hp: { ...hp, amsgrad: true } })], 4, MV)).toThrow(
      /state buffer "vhat" is missing/,
    );
    expect(() => t.pack("float32", [seg({ hp: { ...hp, amsgrad: true } })], 4, { ...MV, vhat: 1 })).not.toThrow();
    expect(() => t.pack("float32", [seg({ hp: { ...hp, adabound: true } })], 4, MV)).toThrow(/extras.initial_alpha/);
    expect(() => t.pack("float32", [seg({ t: 0 })], 4, MV)).toThrow(StepsNotStartedError);
  });

  it("recomputes a memoized scalar whenever one of its inputs changes", () => {
    const t = new ScalarTable("test", desc);
    const F = t.layout.field;
    const S = t.layout.stride;
    const cases: Segment[] = [
      seg(),
      seg(),
      seg({ t: 4 }),
      seg({ hp: { ...hp, beta2: 0.99 }, t: 4 }),
      seg({ hp: { ...hp, alpha: -0 } }),
      seg({ hp: { ...hp, alpha: 0 } }),
    ];
    const row = t.pack("float64", cases, 4, MV);
    cases.forEach((c, k) => expect(Object.is(row[k * S + F["alpha_t"]!], alphaT(c.hp, c.t))).toBe(true));
    // A failed computation leaves no stale value behind.
    expect(() => t.pack("float64", [seg({ t: 0 })], 4, MV)).toThrow();
    expect(t.pack("float64", [seg()], 4, MV)[F["alpha_t"]!]).toBe(alphaT(hp, 3));
    // Nor does an input that cannot be read after an earlier input changed.
    let calls = 0;
    const xy = new ScalarTable("test", {
      scalars: [
        {
          name: "xy",
          clause: "a.b",
          role: "python",
          memo: { hp: ["x", "y"] },
          value: (h) => (calls++, (h["x"] as number) * (h["y"] as number)),
        },
      ],
      states: [],
    });
    const one = (h: Record<string, number>): number =>
      xy.pack("float64", [{ offset: 0, length: 0, hp: h, t: 1, extras: {} }], 0, {})[3]!;
    expect(one({ x: 2, y: 3 })).toBe(6);
    expect(one({ x: 2, y: 3 })).toBe(6);
    expect(calls).toBe(1);
    expect(() => one({ x: 5 })).toThrow(/y is missing/);
    expect(one({ x: 5, y: 3 })).toBe(15);
  });

  it("rejects a description whose `when` names no earlier flag", () => {
    expect(
      () =>
        new ScalarTable("test", {
          scalars: [{ name: "x", clause: "a.b", role: "python", when: "f", value: () => 1 }],
          states: [],
        }),
    ).toThrow(TypeError);
    expect(() => new ScalarTable("test", { scalars: [], states: [{ key: "s", when: "f" }] })).toThrow(TypeError);
  });
});
