/**
 * The JS backend's kernels against the spec, bit for bit (Object.is per element, NaN equal to NaN,
 * +0 distinct from −0): every optimizer kernel (through every optimizer definition that uses it),
 * every per-parameter hook kernel and the reductions, in float32 and float64, on random lengths,
 * values (±0, subnormals, huge magnitudes, ±Inf, NaN), hyperparameters, t and states. Each segment
 * sits inside padding that must stay untouched; multi-segment calls mix rules with their own
 * hyperparameters and t, separated by gaps.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OPTIMIZERS } from "../../spec/optimizers/registry.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import type { HyperValue, Hyperparams } from "../../spec/hyperparam.js";
import type { NDArray } from "../../spec/ndarray.js";
import { array } from "../../spec/ndarray.js";
import type { Param } from "../../spec/link.js";
import type { HookArg, HookKind, Json, PerParamKernelDesc, RuleView } from "../../spec/hooks/types.js";
import { BUILTIN_HOOKS, registerNoiseFunction } from "../../spec/hooks/index.js";
import { allFinite as npAllFinite, dotSelf, imul } from "../../spec/numerics/np.js";
import { type HookSegment, type Segment, syncResult } from "../../backends/contract.js";
import { jsBackend } from "../../backends/js/index.js";
import type { JsBuffer } from "../../backends/js/memory.js";

type Dt = "float32" | "float64";
const DTYPES: readonly Dt[] = ["float32", "float64"];

const RUNS = 150;
const SEED = 20240611;

// ---------------------------------------------------------------------------------------------
// Values

const F32_MIN_SUB = 1.401298464324817e-45;
const F32_MIN_NORMAL = 1.1754943508222875e-38;
const F32_MAX = 3.4028234663852886e38;

function specials(dtype: Dt): number[] {
  return dtype === "float32"
    ? [
        0,
        -0,
        F32_MIN_SUB,
        -F32_MIN_SUB,
        F32_MIN_NORMAL,
        -F32_MIN_NORMAL,
        F32_MAX,
        -F32_MAX,
        Infinity,
        -Infinity,
        NaN,
        1,
        -1,
      ]
    : [
        0,
        -0,
        5e-324,
        -5e-324,
        2.2250738585072014e-308,
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
        Infinity,
        -Infinity,
        NaN,
        1,
        -1,
      ];
}

/** One element of `dtype`: mostly ordinary magnitudes, sometimes tiny, huge or special. */
function valueArb(dtype: Dt): fc.Arbitrary<number> {
  const f = Math.fround;
  const ordinary =
    dtype === "float32" ? fc.float({ min: -4, max: 4, noNaN: true }) : fc.double({ min: -4, max: 4, noNaN: true });
  const tiny =
    dtype === "float32"
      ? fc.float({ min: f(-1e-36), max: f(1e-36), noNaN: true })
      : fc.double({ min: -1e-300, max: 1e-300, noNaN: true });
  const anyFinite = dtype === "float32" ? fc.float({ noNaN: true }) : fc.double({ noNaN: true });
  const anything = dtype === "float32" ? fc.float() : fc.double();
  return fc.oneof(
    { weight: 12, arbitrary: ordinary },
    { weight: 2, arbitrary: tiny },
    { weight: 2, arbitrary: anyFinite },
    { weight: 1, arbitrary: anything },
    { weight: 2, arbitrary: fc.constantFrom(...specials(dtype)) },
  );
}

/** State entries that are second moments or counters are mostly non-negative (but not always). */
const NON_NEGATIVE = /^(v|vhat|h|ms|msg|msdx|n|g2|mem)$/;

function stateValueArb(dtype: Dt, key: string): fc.Arbitrary<number> {
  const v = valueArb(dtype);
  return NON_NEGATIVE.test(key) ? fc.oneof({ weight: 4, arbitrary: v.map(Math.abs) }, { weight: 1, arbitrary: v }) : v;
}

const lengthArb = fc.oneof(fc.constantFrom(0, 1, 3, 5, 17, 33), fc.integer({ min: 0, max: 70 }));

const edgeValueArb = (dtype: Dt): fc.Arbitrary<number> =>
  fc.constantFrom(0, -0, 0, -0, 1, -1, NaN, Infinity, -Infinity, dtype === "float32" ? F32_MIN_SUB : 5e-324);

/**
 * An array of n elements: usually from the mixed distribution above, sometimes (always with `edge`)
 * drawn only from a handful of special values, so that ties such as ±0 against ±0 meet often.
 */
function valuesArb(dtype: Dt, n: number, key = "", edge = false): fc.Arbitrary<number[]> {
  const specialOnly = fc.array(edgeValueArb(dtype), { minLength: n, maxLength: n });
  if (edge) return specialOnly;
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(stateValueArb(dtype, key), { minLength: n, maxLength: n }) },
    { weight: 1, arbitrary: specialOnly },
  );
}

// ---------------------------------------------------------------------------------------------
// Hyperparameters

const UNIT = /^(beta|beta1|beta2|momentum|rho|alpha)$/;
/** Values beyond float32's range, NaN, ±Inf and other edges; float32 must promote the first ones. */
const EXTREME = [0, -0, -0, 1, -1, 2, 1e39, -1e39, 3.5e38, 1e300, Infinity, -Infinity, NaN, 1e-45, 1e-30];

function numberHpArb(name: string, def: number): fc.Arbitrary<number> {
  let typical: fc.Arbitrary<number>;
  if (UNIT.test(name) && def > 0 && def < 1) {
    typical = fc.oneof(
      fc.constant(def),
      fc.double({ min: 0, max: 0.9999, noNaN: true }),
      fc.constantFrom(0.5, 0.9, 0.99, 0.999),
    );
  } else if (name === "eps") {
    typical = fc.oneof(
      fc.constant(def),
      fc.constantFrom(1e-6, 1e-4, 0.1, 0, 1e-16, 1e-30),
      fc.double({ min: 0, max: 1, noNaN: true }),
    );
  } else if (def === 0) {
    typical = fc.oneof(fc.constant(0), fc.constantFrom(0.01, 0.1, 0.5), fc.double({ min: 0, max: 1, noNaN: true }));
  } else {
    typical = fc.oneof(
      fc.constant(def),
      fc.integer({ min: -8, max: 8 }).map((k) => def * 2 ** k),
      fc.double({ min: 0, max: 10, noNaN: true }),
    );
  }
  return fc.oneof({ weight: 24, arbitrary: typical }, { weight: 1, arbitrary: fc.constantFrom(...EXTREME) });
}

interface CaseOptions {
  /** One hyperparameter drawn from these values only. */
  readonly force?: { readonly name: string; readonly values: readonly number[] };
  /** Edge mode: hyperparameters from {default, ±0, ±1, 2, NaN, ±Inf}, arrays of special values only. */
  readonly edge?: boolean;
}

function hpArb(def: OptimizerDef, opts: CaseOptions = {}): fc.Arbitrary<Hyperparams> {
  const force = opts.force;
  const rec: Record<string, fc.Arbitrary<HyperValue>> = {};
  for (const h of def.hyperparams) {
    const fixed = def.fixed?.[h.name];
    if (fixed !== undefined) rec[h.name] = fc.constant(fixed);
    else if (force !== undefined && force.name === h.name) rec[h.name] = fc.constantFrom(...force.values);
    else if (h.type === "bool") rec[h.name] = fc.boolean();
    else if (typeof h.default === "number" && opts.edge)
      rec[h.name] = fc.constantFrom(h.default, 0, -0, 1, -1, 2, NaN, Infinity, -Infinity);
    else if (typeof h.default === "number") rec[h.name] = numberHpArb(h.name, h.default);
    else rec[h.name] = fc.constant(h.default);
  }
  return fc.record(rec);
}

const tArb = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100000 }));

/** The rule's extras: as captured at setup, or changed since (AdaBound's alpha moved; MSVAG's beta_power after k steps). */
function extrasArb(def: OptimizerDef, hp: Hyperparams): fc.Arbitrary<Record<string, number>> {
  const base = def.ruleExtras ? def.ruleExtras(hp) : {};
  const rec: Record<string, fc.Arbitrary<number>> = {};
  for (const [k, v] of Object.entries(base)) {
    if (k === "beta_power")
      rec[k] = fc.oneof(
        fc.integer({ min: 0, max: 60 }).map((j) => v ** (j + 1)),
        fc.double({ min: 0, max: 1, noNaN: true }),
      );
    else rec[k] = fc.oneof(fc.constant(v), fc.double({ min: 1e-6, max: 1, noNaN: true }));
  }
  return fc.record(rec);
}

// ---------------------------------------------------------------------------------------------
// Buffers and comparison

function nd(dtype: Dt, values: readonly number[]): NDArray {
  return { dtype, shape: [values.length], data: Float64Array.from(values) };
}

function bufOf(dtype: Dt, values: readonly number[]): JsBuffer {
  const b = jsBackend.memory.alloc(dtype, values.length);
  syncResult(jsBackend.memory.write(b, values, 0), "write");
  return b;
}

function readAll(b: JsBuffer): Float64Array {
  return jsBackend.memory.read(b, 0, b.length) as Float64Array;
}

function show(x: number | undefined): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

/** Throws on the first element that differs (Object.is: NaN equals NaN, +0 differs from −0). */
function expectBits(what: string, expected: ArrayLike<number>, actual: ArrayLike<number>, context: () => string): void {
  if (expected.length !== actual.length)
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}; ${context()}`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(expected[i], actual[i])) {
      throw new Error(`${what}[${i}]: got ${show(actual[i])}, spec ${show(expected[i])}; ${context()}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Optimizer kernels

interface SegCase {
  readonly def: OptimizerDef;
  readonly n: number;
  readonly hp: Hyperparams;
  readonly t: number;
  readonly extras: Record<string, number>;
  readonly param: number[];
  readonly grad: number[];
  readonly state: Record<string, number[]>;
  /** Elements before this segment (padding or a gap), which no kernel may touch. */
  readonly gap: Record<string, number[]>;
}

function segCaseArb(defs: readonly OptimizerDef[], dtype: Dt, opts: CaseOptions = {}): fc.Arbitrary<SegCase> {
  const edge = opts.edge ?? false;
  return fc
    .record({ def: fc.constantFrom(...defs), n: lengthArb, t: tArb, gapLen: fc.integer({ min: 0, max: 3 }) })
    .chain(({ def, n, t, gapLen }) =>
      hpArb(def, opts).chain((hp) => {
        const stateKeys = Object.keys(def.initState(nd(dtype, []), hp));
        const stateArbs: Record<string, fc.Arbitrary<number[]>> = {};
        const gapArbs: Record<string, fc.Arbitrary<number[]>> = {
          param: valuesArb(dtype, gapLen),
          grad: valuesArb(dtype, gapLen),
        };
        for (const k of stateKeys) {
          stateArbs[k] = valuesArb(dtype, n, k, edge);
          gapArbs[k] = valuesArb(dtype, gapLen, k);
        }
        return fc
          .record({
            extras: extrasArb(def, hp),
            param: valuesArb(dtype, n, "", edge),
            grad: valuesArb(dtype, n, "", edge),
            state: fc.record(stateArbs),
            gap: fc.record(gapArbs),
          })
          .map((r) => ({ def, n, hp, t, ...r }));
      }),
    );
}

/**
 * Lays the cases out in one buffer per quantity (gap, segment, gap, segment, …, tail), runs the
 * spec on each segment and the kernel once over all segments, and compares everything.
 */
/**
 * - "ran": the kernel ran and matched the spec everywhere;
 * - "spec-rejects": the spec raises for this configuration (eps too small, ...): the engine never
 *   calls the kernel then, so there is nothing to compare;
 * - "refused": the spec would change a state array's dtype (SMORMS3 float32 with an eps beyond
 *   float32's range makes `mem` float64), which a typed buffer cannot hold: the kernel must throw
 *   and leave every buffer untouched.
 */
type Outcome = "ran" | "spec-rejects" | "refused";

function runSegments(
  kernelName: string,
  dtype: Dt,
  keys: readonly string[],
  cases: readonly SegCase[],
  tail: Record<string, number[]>,
): Outcome {
  const expected: { param: NDArray; state: Record<string, NDArray> }[] = [];
  for (const c of cases) {
    const state: Record<string, NDArray> = {};
    for (const k of keys) state[k] = nd(dtype, c.state[k] ?? []);
    try {
      const r = OPTIMIZERS[c.def.name]!.update({
        path: "/p",
        param: nd(dtype, c.param),
        grad: nd(dtype, c.grad),
        state,
        hp: c.hp,
        t: c.t,
        extras: c.extras,
      });
      expected.push({ param: r.param, state: r.state as Record<string, NDArray> });
    } catch {
      return "spec-rejects";
    }
  }
  const changesDtype = expected.some(
    (e) => e.param.dtype !== dtype || Object.values(e.state).some((a) => a.dtype !== dtype),
  );
  const layout = (q: string, values: (c: SegCase) => readonly number[]): number[] => {
    const out: number[] = [];
    for (const c of cases) out.push(...(c.gap[q] ?? []), ...values(c));
    out.push(...(tail[q] ?? []));
    return out;
  };
  const segments: Segment[] = [];
  let off = 0;
  for (const c of cases) {
    off += c.gap["param"]!.length;
    segments.push({ offset: off, length: c.n, hp: c.hp, t: c.t, extras: c.extras });
    off += c.n;
  }
  const before: Record<string, number[]> = {
    param: layout("param", (c) => c.param),
    grad: layout("grad", (c) => c.grad),
  };
  for (const k of keys) before[k] = layout(k, (c) => c.state[k] ?? []);
  const bufs: Record<string, JsBuffer> = {};
  for (const [q, v] of Object.entries(before)) bufs[q] = bufOf(dtype, v);
  const state: Record<string, JsBuffer> = {};
  for (const k of keys) state[k] = bufs[k]!;
  const kernel = jsBackend.optimizers[kernelName];
  if (kernel === undefined) throw new Error(`no js kernel ${kernelName}`);
  if (changesDtype) {
    expect(() => kernel.update(dtype, { param: bufs["param"]!, grad: bufs["grad"]!, state }, segments)).toThrow(
      RangeError,
    );
    for (const [q, v] of Object.entries(before))
      expectBits(`${q} (untouched after a refused call)`, v, readAll(bufs[q]!), () => `${kernelName} ${dtype}`);
    return "refused";
  }
  syncResult(kernel.update(dtype, { param: bufs["param"]!, grad: bufs["grad"]!, state }, segments), "update");

  const ctx = (i: number) => () => {
    const c = cases[i];
    return c === undefined
      ? ""
      : `${c.def.name} ${dtype} segment ${i}/${cases.length} n=${c.n} t=${c.t} hp=${JSON.stringify(c.hp, (_, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x))} extras=${JSON.stringify(c.extras)}`;
  };
  // Expected contents: the spec's results inside segments, the input elsewhere (gaps, tail, grad).
  const want: Record<string, number[]> = {};
  for (const [q, v] of Object.entries(before)) want[q] = [...v];
  segments.forEach((s, i) => {
    const e = expected[i]!;
    want["param"]!.splice(s.offset, s.length, ...e.param.data);
    for (const k of keys) {
      const st = e.state[k];
      if (st === undefined) throw new Error(`spec dropped state ${k}`);
      want[k]!.splice(s.offset, s.length, ...st.data);
    }
  });
  for (const q of Object.keys(before)) {
    const got = readAll(bufs[q]!);
    // Localise a mismatch to its segment for the message.
    const w = want[q]!;
    for (let j = 0; j < w.length; j++) {
      if (!Object.is(w[j], got[j])) {
        const seg = segments.findIndex((s) => j >= s.offset && j < s.offset + s.length);
        expectBits(`${q}@${j} (${seg < 0 ? "outside every segment" : `segment ${seg}`})`, [w[j]!], [got[j]!], ctx(seg));
      }
    }
  }
  return "ran";
}

/** Optimizer definitions grouped by the kernel they use. */
function defsByKernel(): Map<string, OptimizerDef[]> {
  const m = new Map<string, OptimizerDef[]>();
  for (const def of Object.values(OPTIMIZERS)) {
    const k = def.kernel ?? def.name;
    m.set(k, [...(m.get(k) ?? []), def]);
  }
  return m;
}

/** The state keys of every case's rule, in first-seen order (one buffer per key for the call). */
function unionKeys(cases: readonly { def: OptimizerDef; hp: Hyperparams }[], dtype: Dt): string[] {
  const keys: string[] = [];
  for (const c of cases)
    for (const k of Object.keys(c.def.initState(nd(dtype, []), c.hp))) if (!keys.includes(k)) keys.push(k);
  return keys;
}

describe("js backend: metadata and memory", () => {
  it("declares an exact, synchronous float32/float64 backend", () => {
    expect(jsBackend.name).toBe("js");
    expect(jsBackend.mode).toBe("sync");
    expect(jsBackend.promise).toEqual({ kind: "exact" });
    expect([...jsBackend.dtypes]).toEqual(["float32", "float64"]);
  });
  it("has a kernel for every optimizer definition of the spec, and no kernel without one", () => {
    const used = new Set(Object.values(OPTIMIZERS).map((d) => d.kernel ?? d.name));
    expect([...used].filter((k) => jsBackend.optimizers[k] === undefined)).toEqual([]);
    expect(Object.keys(jsBackend.optimizers).filter((k) => !used.has(k))).toEqual([]);
    const hookKernels = Object.values(BUILTIN_HOOKS).flatMap((k) =>
      k.kernel?.scope === "param" ? [k.kernel.name] : [],
    );
    expect(Object.keys(jsBackend.hooks).sort()).toEqual(hookKernels.sort());
  });
  it("allocates typed arrays, writes and reads at offsets, refuses float16 and out-of-range access", () => {
    const m = jsBackend.memory;
    const a = m.alloc("float32", 5);
    expect(a).toBeInstanceOf(Float32Array);
    expect(m.alloc("float64", 2)).toBeInstanceOf(Float64Array);
    expect(() => m.alloc("float16", 2)).toThrow(TypeError);
    syncResult(m.write(a, [1.5, -0, NaN], 1), "write");
    const r = m.read(a, 0, 5) as Float64Array;
    expect(r).toBeInstanceOf(Float64Array);
    expect(Object.is(r[2], -0)).toBe(true);
    expect([r[0], r[1], r[3], r[4]]).toEqual([0, 1.5, NaN, 0]);
    expect(Array.from(m.read(a, 3) as Float64Array)).toEqual([NaN, 0]);
    expect(() => m.write(a, [1, 2], 4)).toThrow(RangeError);
    expect(() => m.read(a, 4, 2)).toThrow(RangeError);
  });
  it("a call that throws writes nothing: every segment is validated before the first is computed", () => {
    const k = jsBackend.optimizers["Adam"]!;
    const p = Float32Array.of(1, 2, 3, 4);
    const g = Float32Array.of(0.5, 0.5, 0.5, 0.5);
    const m = new Float32Array(4);
    const v = new Float32Array(4);
    const hp = {
      alpha: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      eta: 1,
      weight_decay_rate: 0,
      amsgrad: false,
      adabound: false,
      final_lr: 0.1,
      gamma: 1e-3,
    };
    const good = { offset: 0, length: 2, hp, t: 1, extras: {} };
    for (const bad of [
      { ...good, offset: 2, t: 0 }, // alpha_t needs t ≥ 1
      { ...good, offset: 2, hp: { ...hp, amsgrad: true } }, // no vhat buffer
      { ...good, offset: 2, hp: { ...hp, adabound: true } }, // no initial_alpha
      { ...good, offset: 3 }, // past the end
    ]) {
      expect(() => k.update("float32", { param: p, grad: g, state: { m, v } }, [good, bad])).toThrow();
      expect([...p, ...m, ...v]).toEqual([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
  });
  it("SMORMS3 float32 with an eps beyond float32's range is refused (numpy would make mem a float64 array)", () => {
    const k = jsBackend.optimizers["SMORMS3"]!;
    const bufs = {
      param: Float32Array.of(1, 2),
      grad: Float32Array.of(0.5, 0.5),
      state: { mem: Float32Array.of(1, 1), g: new Float32Array(2), g2: new Float32Array(2) },
    };
    expect(() =>
      k.update("float32", bufs, [{ offset: 0, length: 2, hp: { lr: 0.001, eps: 1e39 }, t: 1, extras: {} }]),
    ).toThrow(RangeError);
    expect([...bufs.param, ...bufs.state.mem]).toEqual([1, 2, 1, 1]);
    const r = OPTIMIZERS["SMORMS3"]!.update({
      path: "/p",
      param: nd("float32", [1, 2]),
      grad: nd("float32", [0.5, 0.5]),
      state: { mem: nd("float32", [1, 1]), g: nd("float32", [0, 0]), g2: nd("float32", [0, 0]) },
      hp: { lr: 0.001, eps: 1e39 },
      t: 1,
      extras: {},
    });
    expect(r.state["mem"]!.dtype).toBe("float64");
    // float64 and an ordinary eps go through the kernel.
    const b64 = {
      param: Float64Array.of(1, 2),
      grad: Float64Array.of(0.5, 0.5),
      state: { mem: Float64Array.of(1, 1), g: new Float64Array(2), g2: new Float64Array(2) },
    };
    syncResult(
      k.update("float64", b64, [{ offset: 0, length: 2, hp: { lr: 0.001, eps: 1e39 }, t: 1, extras: {} }]),
      "update",
    );
    expect(b64.state.mem[0]).not.toBe(1);
  });
  it("rejects segments that run past a buffer and buffers of the wrong type", () => {
    const k = jsBackend.optimizers["SGD"]!;
    const p = new Float32Array(3);
    const seg = { offset: 2, length: 2, hp: { lr: 0.1 }, t: 1, extras: {} };
    expect(() => k.update("float32", { param: p, grad: new Float32Array(3), state: {} }, [seg])).toThrow(RangeError);
    expect(() =>
      k.update("float64", { param: p, grad: new Float32Array(3), state: {} }, [{ ...seg, offset: 0 }]),
    ).toThrow(TypeError);
    expect(() => k.update("float16", { param: p, grad: p, state: {} }, [])).toThrow(TypeError);
  });
});

describe("js backend: optimizer kernels equal the spec bit for bit", () => {
  for (const [kernelName, defs] of defsByKernel()) {
    for (const def of defs) {
      for (const dtype of DTYPES) {
        it(`${def.name} (kernel ${kernelName}) ${dtype}: one segment inside padding`, () => {
          let ran = 0;
          fc.assert(
            fc.property(segCaseArb([def], dtype), fc.array(valueArb(dtype), { maxLength: 3 }), (c, tailVals) => {
              const keys = unionKeys([c], dtype);
              const tail: Record<string, number[]> = { param: tailVals, grad: tailVals };
              for (const k of keys) tail[k] = tailVals;
              const outcome = runSegments(kernelName, dtype, keys, [c], tail);
              if (outcome === "spec-rejects") return fc.pre(false);
              if (outcome === "ran") ran++;
            }),
            { numRuns: RUNS, seed: SEED },
          );
          expect(ran).toBeGreaterThan(RUNS / 2);
        });
        it(`${def.name} (kernel ${kernelName}) ${dtype}: edge values (±0 ties, NaN, ±Inf in arrays and hyperparameters)`, () => {
          fc.assert(
            fc.property(segCaseArb([def], dtype, { edge: true }), (c) => {
              if (runSegments(kernelName, dtype, unionKeys([c], dtype), [c], {}) === "spec-rejects") fc.pre(false);
            }),
            { numRuns: RUNS, seed: SEED },
          );
        });
      }
    }
    for (const dtype of DTYPES) {
      it(`${kernelName} ${dtype}: several segments (own hp, t, extras; ${defs.map((d) => d.name).join("/")}) with gaps`, () => {
        fc.assert(
          fc.property(
            fc.array(segCaseArb(defs, dtype), { minLength: 2, maxLength: 4 }).chain((cs) => {
              const keys = unionKeys(cs, dtype);
              // Regenerate every segment's state with the union of keys, and non-empty gaps.
              return fc
                .tuple(
                  ...cs.map((c) =>
                    fc.record({
                      state: fc.record(Object.fromEntries(keys.map((k) => [k, valuesArb(dtype, c.n, k)]))),
                      gap: fc.record(
                        Object.fromEntries(["param", "grad", ...keys].map((q) => [q, valuesArb(dtype, 2, q)])),
                      ),
                    }),
                  ),
                )
                .chain((extra) =>
                  fc
                    .record(Object.fromEntries(["param", "grad", ...keys].map((q) => [q, valuesArb(dtype, 2, q)])))
                    .map((tail) => ({
                      keys,
                      cases: cs.map((c, i) => ({ ...c, ...extra[i]! })),
                      tail,
                    })),
                );
            }),
            ({ keys, cases, tail }) => {
              if (runSegments(kernelName, dtype, keys, cases, tail) === "spec-rejects") fc.pre(false);
            },
          ),
          { numRuns: 40, seed: SEED },
        );
      });
    }
  }

  it("float32 hyperparameters beyond float32's range compute as numpy 1.x does (promotion to float64)", () => {
    for (const def of Object.values(OPTIMIZERS)) {
      const kernelName = def.kernel ?? def.name;
      for (const h of def.hyperparams) {
        if (typeof h.default !== "number" || def.fixed?.[h.name] !== undefined) continue;
        fc.assert(
          fc.property(
            segCaseArb([def], "float32", {
              force: { name: h.name, values: [1e39, -1e39, 1e300, 3.4028235677973366e38] },
            }),
            (c) => {
              const keys = unionKeys([c], "float32");
              if (runSegments(kernelName, "float32", keys, [c], {}) === "spec-rejects") fc.pre(false);
            },
          ),
          { numRuns: 12, seed: SEED },
        );
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hook kernels

const TEST_NOISE = "js-kernels-test-noise";
registerNoiseFunction({
  name: TEST_NOISE,
  draw: ({ shape, dtype, settings }) => ({ noise: array(dtype, shape, settings["values"] as number[]) }),
});

const rateArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(0.01, 1e-4, 0, -0, 0.005) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(1e39, -1e39, 1e300, 3.5e38, Infinity, -Infinity, NaN, 1e-45, 1e-320) },
);

/**
 * A number argument: its schema's typical values; where the schema gives a range (the argument is
 * free over it), also any double, extremes and specials.
 */
function numberArgArb(a: HookArg): fc.Arbitrary<Json> {
  const examples = a.examples.filter((x): x is number => typeof x === "number");
  if (a.range === undefined) return fc.constantFrom(...examples, ...(a.optional ? [null] : []));
  const [lo, hi] = a.range;
  return fc.oneof(
    ...(a.optional ? [{ weight: 2, arbitrary: fc.constant(null) }] : []),
    { weight: 6, arbitrary: fc.double({ min: lo, max: hi, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(...examples, 0, -0) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom(1e39, -1e39, 1e300, 3.5e38, Infinity, -Infinity, NaN, 1e-45, 1e-320) },
  );
}

/** Arguments from the kind's schema; a hook that adds drawn noise also gets a noise of given values. */
function hookArgsArb(kind: HookKind, dtype: Dt, n: number): fc.Arbitrary<Record<string, Json>> {
  const fields: Record<string, fc.Arbitrary<Json>> = {};
  for (const a of kind.args ?? []) if (a.type === "number") fields[a.name] = numberArgArb(a);
  const plain = fc.record(fields);
  if (perParamDesc(kind).noise === undefined) return plain;
  return fc.oneof(
    plain,
    fc
      .tuple(plain, valuesArb(dtype, n))
      .map(([args, values]): Record<string, Json> => ({ ...args, noise: { name: TEST_NOISE, values } })),
  );
}

function perParamDesc(kind: HookKind): PerParamKernelDesc {
  if (kind.kernel?.scope !== "param") throw new Error(`${kind.kind} has no per-parameter kernel`);
  return kind.kernel;
}

/** The scalars the engine prepares for a hook kernel: the kind's own description, with the backend's reductions. */
function hookScalars(
  kind: HookKind,
  dtype: Dt,
  args: Record<string, Json>,
  lossScale: number | null,
  p: JsBuffer,
  g: JsBuffer,
  off: number,
  n: number,
): HookSegment["scalars"] {
  const desc = perParamDesc(kind);
  return desc.scalarsOf({
    args,
    lossScale,
    dtype,
    paramSumSquares: desc.reductions.includes("param")
      ? (jsBackend.reductions.sumSquares(dtype, p, off, n) as number)
      : NaN,
    gradSumSquares: desc.reductions.includes("grad")
      ? (jsBackend.reductions.sumSquares(dtype, g, off, n) as number)
      : NaN,
  });
}

interface HookCase {
  readonly n: number;
  readonly p: number[];
  readonly g: number[];
  readonly args: Record<string, Json>;
  readonly lossScale: number | null;
  readonly t: number;
  readonly gapP: number[];
  readonly gapG: number[];
}

function hookCaseArb(kind: HookKind, dtype: Dt): fc.Arbitrary<HookCase> {
  return fc.record({ n: lengthArb, gap: fc.integer({ min: 0, max: 3 }) }).chain(({ n, gap }) =>
    fc.record({
      n: fc.constant(n),
      p: valuesArb(dtype, n),
      g: valuesArb(dtype, n),
      args: hookArgsArb(kind, dtype, n),
      lossScale: fc.constantFrom(null, 128, 1000, 1e38),
      t: fc.integer({ min: 0, max: 1000 }),
      gapP: valuesArb(dtype, gap),
      gapG: valuesArb(dtype, gap),
    }),
  );
}

function runHookCases(kind: HookKind, dtype: Dt, cases: readonly HookCase[], tail: number[]): void {
  const expected: (NDArray | null)[] = [];
  const noiseVals: number[] = [];
  for (const c of cases) {
    const param: Param = {
      dtype,
      shape: [c.n],
      data: nd(dtype, c.p),
      grad: nd(dtype, c.g),
      gradValid: true,
      lossScale: c.lossScale,
    };
    const rule: RuleView = { t: c.t, hyperparam: {}, path: "/p" };
    const state = kind.initialState ? kind.initialState(c.args) : null;
    expected.push(kind.perParam!({ args: c.args, state, rule, param, path: "/p" }).grad);
    noiseVals.push(...c.gapG);
    // oxlint-disable-next-line typescript/unbound-method -- noise functions are plain functions that never use `this`
    const draw = perParamDesc(kind).noise;
    if (draw !== undefined)
      noiseVals.push(...draw({ args: c.args, state, rule, param, path: "/p" }, [c.n], dtype).noise.data);
    else noiseVals.push(...c.g);
  }
  noiseVals.push(...tail);
  const pAll: number[] = [];
  const gAll: number[] = [];
  const offs: number[] = [];
  for (const c of cases) {
    pAll.push(...c.gapP);
    gAll.push(...c.gapG);
    offs.push(pAll.length);
    pAll.push(...c.p);
    gAll.push(...c.g);
  }
  pAll.push(...tail);
  gAll.push(...tail);
  const pb = bufOf(dtype, pAll);
  const gb = bufOf(dtype, gAll);
  const nb = bufOf(dtype, noiseVals);
  const segments: HookSegment[] = cases.map((c, i) => ({
    offset: offs[i]!,
    length: c.n,
    scalars: hookScalars(kind, dtype, c.args, c.lossScale, pb, gb, offs[i]!, c.n),
  }));
  const desc = perParamDesc(kind);
  syncResult(
    jsBackend.hooks[desc.name]!.apply(
      dtype,
      { param: pb, grad: gb, ...(desc.reads.includes("noise") ? { noise: nb } : {}) },
      segments,
    ),
    desc.name,
  );
  const want = [...gAll];
  cases.forEach((c, i) => {
    const e = expected[i];
    if (e !== null && e !== undefined) want.splice(offs[i]!, c.n, ...e.data);
  });
  const ctx = () =>
    `${kind.kind} ${dtype} cases=${JSON.stringify(
      cases.map((c) => ({ n: c.n, args: c.args, ls: c.lossScale, t: c.t })),
      (_, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x),
    )}`;
  expectBits("grad", want, readAll(gb), ctx);
  expectBits("param (untouched)", pAll, readAll(pb), ctx);
}

describe("js backend: hook kernels equal the spec bit for bit", () => {
  for (const kind of Object.values(BUILTIN_HOOKS).filter((k) => k.kernel?.scope === "param")) {
    const kindName = kind.kind;
    for (const dtype of DTYPES) {
      it(`${kindName} ${dtype}: one segment inside padding`, () => {
        fc.assert(
          fc.property(hookCaseArb(kind, dtype), fc.array(valueArb(dtype), { maxLength: 3 }), (c, tail) =>
            runHookCases(kind, dtype, [c], tail),
          ),
          { numRuns: RUNS * 2, seed: SEED },
        );
      });
      it(`${kindName} ${dtype}: several segments with their own scalars and gaps`, () => {
        fc.assert(
          fc.property(
            fc.array(hookCaseArb(kind, dtype), { minLength: 2, maxLength: 4 }),
            fc.array(valueArb(dtype), { minLength: 1, maxLength: 3 }),
            (cs, tail) => runHookCases(kind, dtype, cs, tail),
          ),
          { numRuns: 60, seed: SEED },
        );
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Reductions

describe("js backend: reductions equal the spec bit for bit", () => {
  for (const dtype of DTYPES) {
    it(`sumSquares, allFinite and scale ${dtype}`, () => {
      fc.assert(
        fc.property(
          lengthArb.chain((n) =>
            fc.tuple(
              valuesArb(dtype, n),
              fc.array(valueArb(dtype), { maxLength: 3 }),
              fc.array(valueArb(dtype), { maxLength: 3 }),
            ),
          ),
          rateArb,
          ([x, pre, post], rate) => {
            const all = [...pre, ...x, ...post];
            const buf = bufOf(dtype, all);
            const ctx = () => `${dtype} n=${x.length} rate=${rate}`;
            const arr = nd(dtype, x);
            const ss = jsBackend.reductions.sumSquares(dtype, buf, pre.length, x.length) as number;
            expectBits("sumSquares", [dotSelf(arr).data[0]!], [ss], ctx);
            expect(jsBackend.reductions.allFinite(dtype, buf, pre.length, x.length)).toBe(npAllFinite(arr));
            syncResult(jsBackend.reductions.scale(dtype, buf, pre.length, x.length, rate), "scale");
            const scaled = imul(arr, { dtype: "float64", shape: [], data: Float64Array.of(rate) });
            expectBits("scale", [...pre, ...scaled.data, ...post], readAll(buf), ctx);
          },
        ),
        { numRuns: RUNS * 3, seed: SEED },
      );
    });
  }
  it("allFinite spots a single non-finite element anywhere in the segment, and only there", () => {
    for (const dtype of DTYPES) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const b = bufOf(dtype, [bad, 1, 2, 3, bad]);
        expect(jsBackend.reductions.allFinite(dtype, b, 1, 3)).toBe(true);
        expect(jsBackend.reductions.allFinite(dtype, b, 0, 3)).toBe(false);
        expect(jsBackend.reductions.allFinite(dtype, b, 2, 3)).toBe(false);
        expect(jsBackend.reductions.allFinite(dtype, b, 2, 0)).toBe(true);
      }
    }
  });
});
