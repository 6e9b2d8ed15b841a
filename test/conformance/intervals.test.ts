/**
 * Derived bounds without a GPU: directed rounding, the interval evaluation of the spec's formulas
 * (sound: the spec's own value is inside; fused multiply-add, WGSL division and flushing are
 * admitted; a value beyond the declared accuracy is not), and the bounded battery on JS variants.
 */
import { describe, expect, it } from "vitest";
import { test as fcTest } from "@fast-check/vitest";
import { OPTIMIZERS, array, bitEqual, np, withNumerics, type NDArray } from "../../spec/index.js";
import { WGSL_F32_ARITHMETIC } from "../../backends/webgpu/accuracy.js";
import { jsBackend } from "../../backends/js/index.js";
import type { Backend, OptimizerKernel } from "../../backends/contract.js";
import type { JsBuffer } from "../../backends/js/memory.js";
import { intervalNumerics } from "../../conformance/intervals/context.js";
import { nextDown32, nextUp32, roundDown32, roundUp32, sumLower, ulp32 } from "../../conformance/intervals/rounding.js";
import { kernelCaseArb } from "../../conformance/arbitraries.js";
import { plainUpdate } from "../helpers/kernel-case.js";
import { runBoundedConformance } from "../../conformance/bounded.js";

const f32 = (xs: number[]): NDArray => array("float32", [xs.length], xs);

describe("directed rounding", () => {
  it("brackets a float64 value by the float32 values around it", () => {
    const x = 0.1;
    expect(roundDown32(x)).toBeLessThanOrEqual(x);
    expect(roundUp32(x)).toBeGreaterThanOrEqual(x);
    expect(nextUp32(roundDown32(x))).toBe(roundUp32(x));
    expect(roundDown32(0.5)).toBe(0.5);
    expect(roundUp32(0.5)).toBe(0.5);
  });
  it("knows on which side float64 rounded a sum", () => {
    const a = 1;
    const b = 2 ** -60;
    expect(a + b).toBe(1);
    expect(sumLower(a, b)).toBe(1); // exact sum is above 1
    expect(sumLower(a, -b)).toBeLessThan(1); // exact sum is below 1
  });
  it("measures WGSL's ULP as the larger gap at a binade edge", () => {
    expect(ulp32(1)).toBe(2 ** -23);
    expect(ulp32(1 - 2 ** -24)).toBe(2 ** -24);
    expect(ulp32(1e-45)).toBe(2 ** -149);
  });
});

describe("intervals of the spec's formulas under WGSL's f32 accuracy", () => {
  const ev = () => intervalNumerics(WGSL_F32_ARITHMETIC);

  it("admits either neighbour of a correctly rounded sum, and nothing further", () => {
    const e = ev();
    const r = withNumerics(e.ctx, () => np.add(f32([1]), f32([2 ** -30])));
    const iv = e.intervalOf(r);
    expect(r.data[0]).toBe(1);
    expect([iv.lo[0], iv.hi[0]]).toEqual([1, nextUp32(1)]);
  });

  it("admits 2.5 ULP around a quotient but not 4", () => {
    const e = ev();
    const r = withNumerics(e.ctx, () => np.div(f32([1]), f32([3])));
    const iv = e.intervalOf(r);
    const q = r.data[0]!;
    let two = q;
    let four = q;
    for (let k = 0; k < 2; k++) two = nextUp32(two);
    for (let k = 0; k < 4; k++) four = nextUp32(four);
    expect(iv.hi[0]).toBeGreaterThanOrEqual(two);
    expect(iv.hi[0]).toBeLessThan(four);
    expect(iv.lo[0]).toBeLessThanOrEqual(nextDown32(nextDown32(q)));
  });

  it("puts a divisor outside [2^-126, 2^126], sqrt(0) and NaN outside the promise", () => {
    const e = ev();
    const d = withNumerics(e.ctx, () => np.div(f32([1, 1]), f32([1e-39, 2])));
    expect(Array.from(e.intervalOf(d).outside)).toEqual([1, 0]);
    const s = withNumerics(e.ctx, () => np.sqrt(f32([0, 4, NaN])));
    expect(Array.from(e.intervalOf(s).outside)).toEqual([1, 0, 1]);
  });

  it("admits zero for a result that may be subnormal (flushing)", () => {
    const e = ev();
    const r = withNumerics(e.ctx, () => np.mul(f32([2 ** -70]), f32([2 ** -70])));
    const iv = e.intervalOf(r);
    expect(r.data[0]).toBeGreaterThan(0);
    expect(iv.lo[0]).toBe(0);
    expect(iv.flushed?.[0]).toBe(1);
  });

  it("admits the fused a·b + c (one rounding) where numpy rounds twice", () => {
    // Search deterministic float32 triples until fusing changes the result (about one in a few).
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    let differing = 0;
    for (let k = 0; k < 200; k++) {
      const [a, b, c] = [Math.fround(rnd()), Math.fround(rnd()), Math.fround(rnd())];
      const e = ev();
      const r = withNumerics(e.ctx, () => np.add(f32([c]), np.mul(f32([a]), f32([b]))));
      const fused = Math.fround(a * b + c); // a·b is exact in float64, and so is the sum here
      expect(a * b + c - c).toBe(a * b);
      if (fused !== r.data[0]) differing++;
      const iv = e.intervalOf(r);
      expect(fused >= iv.lo[0]! && fused <= iv.hi[0]!).toBe(true);
    }
    expect(differing).toBeGreaterThan(0);
  });

  for (const def of Object.values(OPTIMIZERS)) {
    fcTest.prop([kernelCaseArb(def, "float32")], { numRuns: 15 })(
      `${def.name}: the spec's own value lies in its interval and is unchanged`,
      (c) => {
        const { call, plain } = plainUpdate(def, c);
        const e = ev();
        const r = withNumerics(e.ctx, () => def.update(call));
        for (const [k, a] of [["param", r.param] as const, ...Object.entries(r.state)]) {
          expect(bitEqual(a, k === "param" ? plain.param : plain.state[k]!)).toBe(true);
          const iv = e.intervalOf(a);
          for (let i = 0; i < a.data.length; i++) {
            if (iv.outside[i] === 1) continue;
            expect(a.data[i]! >= iv.lo[i]! && a.data[i]! <= iv.hi[i]!, `${k}[${i}]`).toBe(true);
          }
        }
      },
    );
  }
});

/** An asynchronous JS variant whose SGD is `p - lr·g` with one rounding (what a fusing GPU does). */
function fusedSgd(scale: number): OptimizerKernel<JsBuffer> {
  return {
    async update(_dtype, bufs, segments) {
      const p = bufs.param as Float32Array;
      const g = bufs.grad as Float32Array;
      for (const s of segments) {
        const lr = Math.fround((s.hp["lr"] as number) * scale);
        for (let i = s.offset; i < s.offset + s.length; i++) p[i] = Math.fround(p[i]! - lr * g[i]!);
      }
    },
  };
}

const variant = (name: string, sgd: OptimizerKernel<JsBuffer>): Backend<JsBuffer> => ({
  ...jsBackend,
  name,
  dtypes: ["float32"],
  mode: "async",
  promise: { kind: "derived", arithmetic: WGSL_F32_ARITHMETIC },
  optimizers: { SGD: sgd },
});

describe("the bounded battery on JS variants (no GPU needed)", () => {
  it("passes a fused-multiply-add SGD and fails a doubled learning rate with sgd.update", async () => {
    const ok = await runBoundedConformance(variant("js-fma", fusedSgd(1)), { seed: 3, numRuns: 30, filter: "/SGD/" });
    expect(ok.checks.map((c) => c.status)).toEqual(["passed", "passed"]);
    const wrong = await runBoundedConformance(variant("js-2lr", fusedSgd(2)), {
      seed: 3,
      numRuns: 30,
      filter: "/SGD/",
    });
    expect(wrong.ok).toBe(false);
    expect(wrong.checks.find((c) => c.status === "failed")?.failures[0]?.clause).toBe("sgd.update");
  });

  it("refuses a backend without a derived promise", async () => {
    await expect(runBoundedConformance(jsBackend, {})).rejects.toThrow(/per-operation accuracy/);
  });
});
