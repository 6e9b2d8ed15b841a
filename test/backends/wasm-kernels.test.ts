/**
 * The Wasm backend's kernels against the spec, bit for bit (Object.is per element: NaN equals NaN,
 * +0 differs from −0), beyond what the conformance kit's single-segment checks reach: several
 * segments per call separated by gaps that must stay untouched, segments of every kind of tail
 * length (0–70 elements: vector body plus 0–3 float32 / 0–1 float64 tail elements), float32
 * hyperparameters beyond float32's range (which must take the exact float64 path), more segments
 * than the reserved table holds, refused calls leaving memory untouched, and the memory itself
 * (growth, free-list reuse, writable views).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OPTIMIZERS } from "../../spec/optimizers/registry.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import type { Hyperparams } from "../../spec/hyperparam.js";
import type { NDArray } from "../../spec/ndarray.js";
import { dotSelf } from "../../spec/numerics/np.js";
import { type HookSegment, type Segment, syncResult } from "../../backends/contract.js";
import { kernelCaseArb, kernelCaseCall, arrayArb, lengthArb, type KernelCase } from "../../conformance/arbitraries.js";
import { jsBackend } from "../../backends/js/index.js";
import { type WasmBuffer, WasmHeap, createWasmBackend, wasmBackend } from "../../backends/wasm/index.js";
import { TABLE_ROWS } from "../../backends/wasm/memory.js";

type Dt = "float32" | "float64";
const DTYPES: readonly Dt[] = ["float32", "float64"];
const RUNS = 60;
const SEED = 20261202;
const wasm = wasmBackend;

function show(x: number | undefined): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

function expectBits(what: string, expected: ArrayLike<number>, actual: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(expected[i], actual[i]))
      throw new Error(`${what}[${i}]: got ${show(actual[i])}, spec ${show(expected[i])}`);
  }
}

function upload(dtype: Dt, values: ArrayLike<number>): WasmBuffer {
  const b = wasm.memory.alloc(dtype, values.length);
  syncResult(wasm.memory.write(b, values, 0), "write");
  return b;
}

const readAll = (b: WasmBuffer): Float64Array => wasm.memory.read(b, 0, b.length) as Float64Array;

/** Hyperparameters beyond float32's range (numpy 1.x computes those float32 segments in float64). */
const WIDE = [1e39, -1e39, 3.5e38, 1e300];

/** A kernel case, sometimes with one numeric hyperparameter replaced by a wide value. */
function caseArb(def: OptimizerDef, dtype: Dt): fc.Arbitrary<KernelCase> {
  const numeric = def.hyperparams
    .filter((h) => typeof h.default === "number" && !(def.fixed && h.name in def.fixed))
    .map((h) => h.name);
  const base = kernelCaseArb(def, dtype);
  if (numeric.length === 0) return base;
  return fc
    .tuple(base, fc.option(fc.tuple(fc.constantFrom(...numeric), fc.constantFrom(...WIDE)), { freq: 4 }))
    .map(([c, w]) => (w === null ? c : { ...c, hp: { ...c.hp, [w[0]]: w[1] } as Hyperparams }));
}

/**
 * Lays the cases out in one buffer per quantity (gap, segment, gap, segment, …), runs the spec on
 * each segment and the Wasm kernel once over all segments, and compares every element.
 */
function runSegments(def: OptimizerDef, dtype: Dt, cases: readonly KernelCase[], gaps: readonly number[]): void {
  const expected: { param: NDArray; state: Record<string, NDArray> }[] = [];
  for (const c of cases) {
    try {
      const r = def.update(kernelCaseCall(c));
      if (r.param.dtype !== dtype || Object.values(r.state).some((s) => s.dtype !== dtype)) return; // widened: the engine runs the spec
      expected.push({ param: r.param, state: r.state as Record<string, NDArray> });
    } catch {
      return; // the spec raises: the engine never calls the kernel
    }
  }
  const keys = Object.keys(cases[0]!.state);
  const quantities = ["param", "grad", ...keys];
  const values = (c: KernelCase, q: string): Float64Array =>
    q === "param" ? c.param.data : q === "grad" ? c.grad.data : c.state[q]!.data;
  const before: Record<string, number[]> = {};
  const segments: Segment[] = [];
  for (const q of quantities) before[q] = [];
  cases.forEach((c, i) => {
    for (const q of quantities)
      before[q]!.push(...Array.from({ length: gaps[i] ?? 0 }, (_, j) => 0.25 * (j + 1)), ...values(c, q));
    segments.push({
      offset: before["param"]!.length - c.param.data.length,
      length: c.param.data.length,
      hp: c.hp,
      t: c.t,
      extras: c.extras,
    });
  });
  const bufs: Record<string, WasmBuffer> = {};
  for (const q of quantities) bufs[q] = upload(dtype, before[q]!);
  const state: Record<string, WasmBuffer> = {};
  for (const k of keys) state[k] = bufs[k]!;
  syncResult(
    wasm.optimizers[def.kernel ?? def.name]!.update(
      dtype,
      { param: bufs["param"]!, grad: bufs["grad"]!, state },
      segments,
    ),
    "update",
  );
  const want: Record<string, number[]> = {};
  for (const q of quantities) want[q] = [...before[q]!];
  segments.forEach((s, i) => {
    want["param"]!.splice(s.offset, s.length, ...expected[i]!.param.data);
    for (const k of keys) want[k]!.splice(s.offset, s.length, ...expected[i]!.state[k]!.data);
  });
  const where = `${def.name} ${dtype} ${JSON.stringify(segments.map((s) => [s.offset, s.length, s.hp]))}`;
  for (const q of quantities) {
    expectBits(`${q} of ${where}`, want[q]!, readAll(bufs[q]!));
    wasm.memory.free!(bufs[q]!);
  }
}

describe("wasm backend: metadata", () => {
  it("declares an exact, synchronous float32/float64 backend with every kernel the JS backend has", () => {
    expect(wasm.name).toBe("wasm");
    expect(wasm.mode).toBe("sync");
    expect(wasm.promise).toEqual({ kind: "exact" });
    expect([...wasm.dtypes]).toEqual(["float32", "float64"]);
    expect(Object.keys(wasm.optimizers).sort()).toEqual(Object.keys(jsBackend.optimizers).sort());
    expect(Object.keys(wasm.hooks).sort()).toEqual(Object.keys(jsBackend.hooks).sort());
    expect(wasm.available?.()).toEqual({ ok: true });
  });
});

describe("wasm backend: optimizer kernels over several segments, against the spec", () => {
  for (const def of Object.values(OPTIMIZERS)) {
    for (const dtype of DTYPES) {
      it(`${def.name} ${dtype}`, () => {
        fc.assert(
          fc.property(
            fc.array(caseArb(def, dtype), { minLength: 1, maxLength: 4 }),
            fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
            (cases, gaps) => {
              // One call's segments share the state keys (AMSGrad's vhat): keep the cases that match the first.
              const keys = Object.keys(cases[0]!.state).join();
              runSegments(
                def,
                dtype,
                cases.filter((c) => Object.keys(c.state).join() === keys),
                gaps,
              );
            },
          ),
          { numRuns: RUNS, seed: SEED },
        );
      });
    }
  }

  it("runs more segments than the reserved table holds, in chunks, exactly", () => {
    const def = OPTIMIZERS["MomentumSGD"]!;
    const n = TABLE_ROWS + 37;
    const cases: KernelCase[] = [];
    for (let i = 0; i < n; i++) {
      const len = i % 7;
      const data = (k: number) => Float64Array.from({ length: len }, (_, j) => Math.fround(Math.sin(i * 7 + j + k)));
      cases.push({
        dtype: "float32",
        param: { dtype: "float32", shape: [len], data: data(0) },
        grad: { dtype: "float32", shape: [len], data: data(1) },
        state: { v: { dtype: "float32", shape: [len], data: data(2) } },
        hp: { lr: 0.01 * (1 + (i % 3)), momentum: i % 5 === 0 ? 1e39 : 0.9 },
        t: 1,
        extras: {},
      });
    }
    runSegments(def, "float32", cases, []);
  });
});

describe("wasm backend: refused calls leave memory untouched", () => {
  it("a segment beyond a buffer, a missing state, a foreign buffer or float16 throw before writing", () => {
    const p = upload("float32", [1, 2, 3, 4, 5]);
    const g = upload("float32", [1, 1, 1, 1, 1]);
    const v = upload("float32", [0, 0, 0, 0, 0]);
    const seg = (offset: number, length: number): Segment => ({
      offset,
      length,
      hp: { lr: 0.1, momentum: 0.9 },
      t: 1,
      extras: {},
    });
    const k = wasm.optimizers["MomentumSGD"]!;
    expect(() => k.update("float32", { param: p, grad: g, state: { v } }, [seg(0, 4), seg(3, 3)])).toThrow(RangeError);
    expect(() => k.update("float32", { param: p, grad: g, state: {} }, [seg(0, 4)])).toThrow(TypeError);
    expect(() =>
      k.update("float32", { param: new Float32Array(5) as unknown as WasmBuffer, grad: g, state: { v } }, [seg(0, 4)]),
    ).toThrow(TypeError);
    expect(() => k.update("float64", { param: p, grad: g, state: { v } }, [seg(0, 4)])).toThrow(TypeError);
    expect(() => k.update("float16", { param: p, grad: g, state: { v } }, [seg(0, 4)])).toThrow(TypeError);
    expectBits("param", [1, 2, 3, 4, 5], readAll(p));
    expectBits("v", [0, 0, 0, 0, 0], readAll(v));
  });
});

describe("wasm backend: hook kernels and reductions", () => {
  const HOOK_SCALARS: Record<string, fc.Arbitrary<Record<string, number | null>>> = {
    WeightDecay: fc.record({ rate: fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(...WIDE)) }),
    Lasso: fc.record({ rate: fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(...WIDE)) }),
    GradientHardClipping: fc.record({
      lower: fc.oneof(fc.constant(null), fc.double({ min: -2, max: 0, noNaN: true }), fc.constantFrom(-1e39, 0, -0)),
      upper: fc.oneof(fc.constant(null), fc.double({ min: -0.5, max: 2, noNaN: true }), fc.constantFrom(1e39, 0, -0)),
    }),
    GradientLARS: fc.record({
      weight_decay: fc.constantFrom(0, 1e-3, 0.2, 1e39),
      rate: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.constantFrom(1e39)),
    }),
    GradientNoise: fc.constant({}),
  };
  // The JS backend's hook kernels are checked bit for bit against the spec (js-kernels.test.ts and
  // the kit); here the Wasm kernels must agree with them on multi-segment calls, wide scalars included.
  for (const hook of Object.keys(HOOK_SCALARS)) {
    for (const dtype of DTYPES) {
      it(`${hook} ${dtype} agrees with the JS backend over several segments`, () => {
        fc.assert(
          fc.property(
            fc.array(
              lengthArb.chain((n) =>
                fc.record({
                  p: arrayArb(dtype, n),
                  g: arrayArb(dtype, n),
                  z: arrayArb(dtype, n),
                  s: HOOK_SCALARS[hook]!,
                }),
              ),
              { minLength: 1, maxLength: 4 },
            ),
            (cases) => {
              const cat = (f: (c: (typeof cases)[number]) => NDArray) => cases.flatMap((c) => Array.from(f(c).data));
              const segs: HookSegment[] = [];
              let off = 0;
              for (const c of cases) {
                segs.push({ offset: off, length: c.p.data.length, scalars: c.s });
                off += c.p.data.length;
              }
              const [p, g, z] = [cat((c) => c.p), cat((c) => c.g), cat((c) => c.z)];
              const jp = Float64Array.from(p);
              const jsP = dtype === "float32" ? Float32Array.from(p) : Float64Array.from(jp);
              const jsG = dtype === "float32" ? Float32Array.from(g) : Float64Array.from(g);
              const jsZ = dtype === "float32" ? Float32Array.from(z) : Float64Array.from(z);
              syncResult(jsBackend.hooks[hook]!.apply(dtype, { param: jsP, grad: jsG, noise: jsZ }, segs), hook);
              const wp = upload(dtype, p);
              const wg = upload(dtype, g);
              const wz = upload(dtype, z);
              syncResult(wasm.hooks[hook]!.apply(dtype, { param: wp, grad: wg, noise: wz }, segs), hook);
              expectBits(`${hook} ${dtype} grad`, jsG, readAll(wg));
              expectBits(`${hook} ${dtype} param untouched`, p, readAll(wp));
              for (const b of [wp, wg, wz]) wasm.memory.free!(b);
            },
          ),
          { numRuns: RUNS, seed: SEED },
        );
      });
    }
  }

  for (const dtype of DTYPES) {
    it(`sumSquares is the spec's sequential dot, allFinite numpy's, scale the JS one (${dtype})`, () => {
      fc.assert(
        fc.property(
          lengthArb.chain((n) => arrayArb(dtype, n)),
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom(0.5, 1 / 3, 1e39, 0),
          (x, skip, rate) => {
            const n = x.data.length;
            const off = Math.min(skip, n);
            const b = upload(dtype, x.data);
            const sub: NDArray = { dtype, shape: [n - off], data: x.data.subarray(off) };
            expectBits(
              "sumSquares",
              [dotSelf(sub).data[0]!],
              [wasm.reductions.sumSquares(dtype, b, off, n - off) as number],
            );
            expect(wasm.reductions.allFinite(dtype, b, off, n - off)).toBe(Array.from(sub.data).every(Number.isFinite));
            const js = dtype === "float32" ? Float32Array.from(x.data) : Float64Array.from(x.data);
            syncResult(jsBackend.reductions.scale(dtype, js, off, n - off, rate), "scale");
            syncResult(wasm.reductions.scale(dtype, b, off, n - off, rate), "scale");
            expectBits("scale", js, readAll(b));
            wasm.memory.free!(b);
          },
        ),
        { numRuns: 200, seed: SEED },
      );
    });
  }
});

describe("wasm backend: linear memory", () => {
  it("grows only in alloc, keeps contents across growth, re-creates views, and reuses freed blocks", () => {
    const b = createWasmBackend("wasm-memory-test", new WasmHeap());
    const m = b.memory;
    const a = m.alloc("float32", 6);
    syncResult(m.write(a, [1.5, -0, NaN, 2, 3, 4], 0), "write");
    const before = b.heap.byteLength;
    const oldView = m.view(a);
    const big = m.alloc("float64", 1 << 20); // 8 MiB: forces growth
    expect(b.heap.byteLength).toBeGreaterThan(before);
    // The heap moved to a new memory instead of growing the old one: nothing was detached.
    expect(oldView.buffer.byteLength).toBe(before);
    expectBits("after growth", [1.5, -0, NaN, 2, 3, 4], m.read(a) as Float64Array);
    const view = m.view(a);
    view[5] = 7; // a gradient written in place
    expect((m.read(a, 5, 1) as Float64Array)[0]).toBe(7);
    m.free!(big);
    const size = b.heap.byteLength;
    for (let i = 0; i < 20; i++) m.free!(m.alloc("float64", 1 << 20));
    expect(b.heap.byteLength).toBe(size);
    const c = m.alloc("float32", 3);
    expectBits("fresh buffers read as zeros", [0, 0, 0], m.read(c) as Float64Array);
  });

  it("refuses float16, negative lengths, out-of-range access and freed buffers", () => {
    const m = wasm.memory;
    expect(() => m.alloc("float16", 2)).toThrow(TypeError);
    expect(() => m.alloc("float32", -1)).toThrow(RangeError);
    const a = m.alloc("float64", 3);
    expect(() => m.write(a, [1, 2, 3], 1)).toThrow(RangeError);
    expect(() => m.read(a, 2, 2)).toThrow(RangeError);
    m.free!(a);
    expect(() => m.read(a)).toThrow(TypeError);
  });
});
