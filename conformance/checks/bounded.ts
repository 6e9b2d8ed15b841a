/**
 * Checks for a backend with a derived promise (`promise.kind === "derived"`): every output element
 * must lie in the interval that the spec's own formula yields under the backend's declared
 * per-operation accuracy (`conformance/intervals`). Asynchronous throughout, since such backends
 * (WebGPU) return promises.
 *
 * - optimizer kernels: 1-3 cases packed into shared buffers at offsets with guard elements between
 *   them, each segment with its own hyperparameters, `t` and extras; guards must stay untouched;
 * - hook kernels: each per-parameter hook on one segment (scalars prepared as the engine does);
 * - reductions: `sumSquares` within the sequential sum's interval, `allFinite` exact, `scale`;
 * - trajectories: several steps on resident buffers, each step judged from the backend's own
 *   previous state, so error does not compound into a meaningless bound.
 */
import fc from "fast-check";
import type { AnyBackend, ArithmeticPromise, Segment } from "../../backends/contract.js";
import {
  type Dtype,
  type HookKind,
  type NDArray,
  type OptimizerDef,
  type UpdateCall,
  BUILTIN_HOOKS,
  OPTIMIZERS,
  np,
  withNumerics,
} from "../../spec/index.js";
import type { PerParamKernelDesc } from "../../spec/hooks/types.js";
import { arrayArb, kernelCaseArb, kernelCaseCall, lengthArb, type KernelCase } from "../arbitraries.js";
import { intervalNumerics } from "../intervals/context.js";
import { type IntervalFailure, type Tally, judge } from "../intervals/verdict.js";
import { MIN_NORMAL32, roundDown32, roundUp32, sumLower, sumUpper } from "../intervals/rounding.js";
import { outputClause } from "./kernels.js";

const DTYPE: Dtype = "float32";
/** A value no kernel produces from these inputs by accident, written between segments. */
const GUARD = 1234.5;

export interface BoundedCheck {
  readonly id: string;
  readonly group: string;
  readonly kernel: string;
  readonly clauses: readonly string[];
  applies(backend: AnyBackend): string | null;
  /** An async property; throws `IntervalMismatch` on an element outside its interval. */
  property(backend: AnyBackend, arithmetic: ArithmeticPromise, tally: Tally): fc.IAsyncProperty<unknown>;
}

export class IntervalMismatch extends Error {
  constructor(readonly failures: readonly IntervalFailure[]) {
    super(
      failures
        .map((f) => `${f.what}[${f.index}] = ${f.actual} outside [${f.lo}, ${f.hi}] (spec ${f.spec}) [${f.clause}]`)
        .join("; "),
    );
  }
}

function throwIfAny(failures: IntervalFailure[]): void {
  if (failures.length > 0) throw new IntervalMismatch(failures);
}

async function upload(b: AnyBackend, values: ArrayLike<number>): Promise<unknown> {
  const buf = b.memory.alloc(DTYPE, values.length);
  await b.memory.write(buf, values, 0);
  return buf;
}

/** Lays cases out one after another from `start`, one guard element between neighbours. */
function layout(lengths: readonly number[], start: number): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let at = start;
  for (const n of lengths) {
    offsets.push(at);
    at += n + 1;
  }
  return { offsets, total: at };
}

function packed(total: number, parts: readonly NDArray[], offsets: readonly number[]): Float64Array {
  const out = new Float64Array(total).fill(GUARD);
  parts.forEach((a, j) => out.set(a.data, offsets[j]!));
  return out;
}

function guardFailures(
  what: string,
  clause: string,
  data: Float64Array,
  lengths: readonly number[],
  offsets: readonly number[],
): IntervalFailure[] {
  const inside = new Uint8Array(data.length);
  lengths.forEach((n, j) => inside.fill(1, offsets[j]!, offsets[j]! + n));
  const out: IntervalFailure[] = [];
  for (let i = 0; i < data.length; i++) {
    if (inside[i] === 0 && data[i] !== GUARD)
      out.push({
        what: `${what}: wrote outside its segments (guard element)`,
        clause,
        index: i,
        actual: data[i]!,
        spec: GUARD,
        lo: GUARD,
        hi: GUARD,
      });
  }
  return out.slice(0, 3);
}

/** The spec's update under interval arithmetic, or null where the spec raises. */
function specWithin(def: OptimizerDef, call: UpdateCall, arithmetic: ArithmeticPromise) {
  const ev = intervalNumerics(arithmetic);
  try {
    const r = withNumerics(ev.ctx, () => def.update(call));
    return { r, ev };
  } catch {
    return null;
  }
}

/** Runs one optimizer kernel call over several cases packed into shared buffers; returns the read-back arrays. */
async function runPacked(b: AnyBackend, def: OptimizerDef, cases: readonly KernelCase[], start: number) {
  const kernel = b.optimizers[def.kernel ?? def.name]!;
  const lengths = cases.map((c) => c.param.data.length);
  const { offsets, total } = layout(lengths, start);
  const keys = Object.keys(cases[0]!.state);
  const param = await upload(
    b,
    packed(
      total,
      cases.map((c) => c.param),
      offsets,
    ),
  );
  const grad = await upload(
    b,
    packed(
      total,
      cases.map((c) => c.grad),
      offsets,
    ),
  );
  const state: Record<string, unknown> = {};
  for (const k of keys)
    state[k] = await upload(
      b,
      packed(
        total,
        cases.map((c) => c.state[k]!),
        offsets,
      ),
    );
  const segments: Segment[] = cases.map((c, j) => ({
    offset: offsets[j]!,
    length: lengths[j]!,
    hp: c.hp,
    t: c.t,
    extras: c.extras,
  }));
  await kernel.update(DTYPE, { param, grad, state }, segments);
  const out: Record<string, Float64Array> = { param: await b.memory.read(param, 0, total) };
  for (const k of keys) out[k] = await b.memory.read(state[k], 0, total);
  for (const buf of [param, grad, ...Object.values(state)]) b.memory.free?.(buf);
  return { out, offsets, lengths };
}

function optimizerCheck(def: OptimizerDef): BoundedCheck {
  const kernel = def.kernel ?? def.name;
  return {
    id: `bounded/kernel/${def.name}/float32`,
    group: "optimizer kernels",
    kernel,
    clauses: [def.clause, ...Object.values(def.stateClauses ?? {})],
    applies: (b) => (b.optimizers[kernel] === undefined ? `no ${kernel} kernel` : null),
    property: (b, arithmetic, tally) =>
      fc.asyncProperty(
        fc.array(kernelCaseArb(def, DTYPE), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        async (all, start) => {
          // Cases the spec rejects (eps too small, steps not started) are not the kernel's to compute.
          // One call shares its state buffers, so its cases share state keys (AMSGrad's vhat or not).
          const keys = Object.keys(all[0]!.state).join();
          const cases = all.filter(
            (c) => Object.keys(c.state).join() === keys && specWithin(def, kernelCaseCall(c), arithmetic) !== null,
          );
          fc.pre(cases.length > 0);
          const { out, offsets, lengths } = await runPacked(b, def, cases, start);
          const failures: IntervalFailure[] = [];
          cases.forEach((c, j) => {
            const { r, ev } = specWithin(def, kernelCaseCall(c), arithmetic)!;
            const slice = (k: string) => out[k]!.subarray(offsets[j]!, offsets[j]! + lengths[j]!);
            failures.push(
              ...judge(
                `case ${j} param`,
                outputClause(def, "param"),
                r.param.data,
                ev.intervalOf(r.param),
                slice("param"),
                tally,
              ),
            );
            for (const [k, v] of Object.entries(r.state))
              failures.push(
                ...judge(`case ${j} state.${k}`, outputClause(def, k), v.data, ev.intervalOf(v), slice(k), tally),
              );
          });
          for (const [k, data] of Object.entries(out))
            failures.push(...guardFailures(k, outputClause(def, k), data, lengths, offsets));
          throwIfAny(failures);
        },
      ),
  };
}

const HOOK_ARGS: Record<string, fc.Arbitrary<Record<string, number | null>>> = {
  WeightDecay: fc.record({
    rate: fc.oneof(fc.constantFrom(0.01, 1e-4, 0), fc.double({ min: -2, max: 2, noNaN: true })),
  }),
  Lasso: fc.record({ rate: fc.oneof(fc.constantFrom(0.005, 0), fc.double({ min: -2, max: 2, noNaN: true })) }),
  GradientHardClipping: fc.record({
    lower_bound: fc.oneof(fc.constant(null), fc.double({ min: -2, max: 0, noNaN: true })),
    upper_bound: fc.oneof(fc.constant(null), fc.double({ min: -0.5, max: 2, noNaN: true })),
  }),
  GradientLARS: fc.record({
    threshold: fc.constantFrom(1e-2, 0, 10),
    weight_decay: fc.constantFrom(0, 1e-3, 0.2),
    eps: fc.constantFrom(1e-9, 0),
  }),
  GradientNoise: fc.record({ eta: fc.constantFrom(0.01, 0.3) }),
};

/** A per-parameter hook's kernel check (its scalars from the kind's own description, norms from the spec's dot: reductions are checked on their own). */
function hookCheck(kind: HookKind, desc: PerParamKernelDesc): BoundedCheck {
  return {
    id: `bounded/hook/${kind.kind}/float32`,
    group: "hook kernels",
    kernel: desc.name,
    clauses: [kind.clause, ...desc.scalars.map((s) => s.clause).filter((c) => c !== kind.clause)],
    applies: (b) => (b.hooks[desc.name] === undefined ? `no ${desc.name} kernel` : null),
    property: (b, arithmetic, tally) =>
      fc.asyncProperty(
        lengthArb.chain((n) =>
          fc.record({
            p: arrayArb(DTYPE, n),
            g: arrayArb(DTYPE, n),
            args: HOOK_ARGS[kind.kind] ?? fc.constant({}),
            ls: fc.constantFrom(null, 128, 1000),
          }),
        ),
        async ({ p, g, args, ls }) => {
          const param = { dtype: DTYPE, shape: p.shape, data: p, grad: g, gradValid: true, lossScale: ls };
          const state = kind.initialState ? kind.initialState(args) : null;
          const rule = { t: 3, hyperparam: {}, path: "/p" };
          const call = { args, state, rule, param, path: "/p" };
          const ev = intervalNumerics(arithmetic);
          const expected = withNumerics(ev.ctx, () => kind.perParam!(call));
          if (expected.grad === null) return;
          const n = g.data.length;
          const scalars = desc.scalarsOf({
            args,
            lossScale: ls,
            dtype: DTYPE,
            paramSumSquares: np.dotSelf(p).data[0]!,
            gradSumSquares: np.dotSelf(g).data[0]!,
          });
          const pb = await upload(b, p.data);
          const gb = await upload(b, g.data);
          const noise = desc.noise ? await upload(b, desc.noise(call, g.shape, DTYPE).noise.data) : undefined;
          await b.hooks[desc.name]!.apply(DTYPE, { param: pb, grad: gb, ...(noise !== undefined ? { noise } : {}) }, [
            { offset: 0, length: n, scalars },
          ]);
          const actual = await b.memory.read(gb, 0, n);
          for (const buf of [pb, gb, noise]) if (buf !== undefined) b.memory.free?.(buf);
          throwIfAny(judge("grad", kind.clause, expected.grad.data, ev.intervalOf(expected.grad), actual, tally));
        },
      ),
  };
}

/** The interval of `numerics.dot.sequential` under correctly rounded `+` and `×` (with flushing if allowed). */
export function sequentialSumSquares(
  x: ArrayLike<number>,
  arithmetic: ArithmeticPromise,
): { lo: number; hi: number; flushed: boolean } {
  const ftz = arithmetic.flushSubnormals.allowed;
  let flushed = false;
  const flush = (l: number, h: number): [number, number] => {
    if (!(ftz && l < MIN_NORMAL32 && h > -MIN_NORMAL32) || (l === 0 && h === 0)) return [l, h];
    flushed = true;
    return [Math.min(l, 0), Math.max(h, 0)];
  };
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < x.length; i++) {
    const [vl, vh] = flush(x[i]!, x[i]!);
    const sl = vl <= 0 && vh >= 0 ? 0 : Math.min(vl * vl, vh * vh);
    const [ql, qh] = flush(roundDown32(sl), roundUp32(Math.max(vl * vl, vh * vh)));
    [lo, hi] = flush(roundDown32(sumLower(lo, ql)), roundUp32(sumUpper(hi, qh)));
  }
  return { lo, hi, flushed };
}

function reductionCheck(): BoundedCheck {
  return {
    id: "bounded/reduction/sumSquares+allFinite+scale/float32",
    group: "reductions",
    kernel: "reductions",
    clauses: ["numerics.dot.sequential", "loss-scale.dynamic.check", "hooks.gradient-clipping.scale"],
    applies: () => null,
    property: (b, arithmetic, tally) =>
      fc.asyncProperty(
        lengthArb.chain((n) => arrayArb(DTYPE, n)),
        fc.constantFrom(0.5, 0.25, 0.7071),
        async (x, rate) => {
          const n = x.data.length;
          const buf = await upload(b, x.data);
          const failures: IntervalFailure[] = [];
          const finite = np.allFinite(x);
          if ((await b.reductions.allFinite(DTYPE, buf, 0, n)) !== finite) {
            failures.push({
              what: "allFinite",
              clause: "loss-scale.dynamic.check",
              index: 0,
              actual: finite ? 0 : 1,
              spec: finite ? 1 : 0,
              lo: 0,
              hi: 0,
            });
          }
          if (finite) {
            const ss = await b.reductions.sumSquares(DTYPE, buf, 0, n);
            const spec = np.dotSelf(x).data[0]!;
            const { lo, hi, flushed } = sequentialSumSquares(x.data, arithmetic);
            const out = Number.isFinite(lo) && Number.isFinite(hi) ? 0 : 1;
            const iv = {
              lo: Float64Array.of(lo),
              hi: Float64Array.of(hi),
              outside: Uint8Array.of(out),
              flushed: Uint8Array.of(flushed ? 1 : 0),
            };
            failures.push(...judge("sumSquares", "numerics.dot.sequential", [spec], iv, [ss], tally));
            await b.reductions.scale(DTYPE, buf, 0, n, rate);
            const ev = intervalNumerics(arithmetic);
            const scaled = withNumerics(ev.ctx, () => np.mul(x, rate));
            failures.push(
              ...judge(
                "scale",
                "hooks.gradient-clipping.scale",
                scaled.data,
                ev.intervalOf(scaled),
                await b.memory.read(buf, 0, n),
                tally,
              ),
            );
          }
          b.memory.free?.(buf);
          throwIfAny(failures);
        },
      ),
  };
}

function trajectoryCheck(def: OptimizerDef): BoundedCheck {
  const kernel = def.kernel ?? def.name;
  return {
    id: `bounded/trajectory/${def.name}/float32`,
    group: "trajectories",
    kernel,
    clauses: [def.clause, ...Object.values(def.stateClauses ?? {})],
    applies: (b) => (b.optimizers[kernel] === undefined ? `no ${kernel} kernel` : null),
    property: (b, arithmetic, tally) =>
      fc.asyncProperty(
        kernelCaseArb(def, DTYPE).chain((c) =>
          fc.record({
            c: fc.constant(c),
            grads: fc.array(arrayArb(DTYPE, c.param.data.length, { finite: true }), { minLength: 2, maxLength: 4 }),
          }),
        ),
        async ({ c, grads }) => {
          fc.pre(specWithin(def, kernelCaseCall(c), arithmetic) !== null);
          const n = c.param.data.length;
          const keys = Object.keys(c.state);
          const param = await upload(b, c.param.data);
          const grad = await upload(b, c.grad.data);
          const state: Record<string, unknown> = {};
          for (const k of keys) state[k] = await upload(b, c.state[k]!.data);
          let t = c.t;
          let extras = c.extras;
          const failures: IntervalFailure[] = [];
          for (let step = 0; step < grads.length && failures.length === 0; step++) {
            // The step's inputs are the backend's own state, read back: each step is judged alone.
            const read = async (buf: unknown): Promise<NDArray> => ({
              dtype: DTYPE,
              shape: [n],
              data: await b.memory.read(buf, 0, n),
            });
            const g = grads[step]!;
            await b.memory.write(grad, g.data, 0);
            const before: Record<string, NDArray> = {};
            for (const k of keys) before[k] = await read(state[k]);
            const call: UpdateCall = {
              path: "/p",
              param: await read(param),
              grad: g,
              state: before,
              hp: c.hp,
              t,
              extras,
            };
            const spec = specWithin(def, call, arithmetic);
            if (spec === null) break; // the spec raises here (e.g. MSVAG's beta_power); the trajectory ends
            await b.optimizers[kernel]!.update(DTYPE, { param, grad, state }, [
              { offset: 0, length: n, hp: c.hp, t, extras },
            ]);
            const { r, ev } = spec;
            failures.push(
              ...judge(
                `step ${step + 1} param`,
                outputClause(def, "param"),
                r.param.data,
                ev.intervalOf(r.param),
                (await read(param)).data,
                tally,
              ),
            );
            for (const [k, v] of Object.entries(r.state))
              failures.push(
                ...judge(
                  `step ${step + 1} state.${k}`,
                  outputClause(def, k),
                  v.data,
                  ev.intervalOf(v),
                  (await read(state[k])).data,
                  tally,
                ),
              );
            t += 1;
            extras = { ...extras, ...r.extras };
          }
          for (const buf of [param, grad, ...Object.values(state)]) b.memory.free?.(buf);
          throwIfAny(failures);
        },
      ),
  };
}

export function boundedChecks(): BoundedCheck[] {
  const out: BoundedCheck[] = [];
  for (const def of Object.values(OPTIMIZERS)) out.push(optimizerCheck(def));
  for (const kind of Object.values(BUILTIN_HOOKS))
    if (kind.perParam && kind.kernel?.scope === "param") out.push(hookCheck(kind, kind.kernel));
  out.push(reductionCheck());
  for (const def of Object.values(OPTIMIZERS)) out.push(trajectoryCheck(def));
  return out;
}
