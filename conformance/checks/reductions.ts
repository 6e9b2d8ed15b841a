/**
 * Reduction checks, on inputs where the order of summation matters: magnitudes spread over many
 * binades (a pairwise, lane-wise or widened sum rounds differently from the sequential one),
 * lengths that are not multiples of 4 or 16, and a non-finite element at any position, tails
 * included. Segments sit in packed buffers whose gaps hold non-finite and huge guards, so a
 * reduction that reads outside its segment is caught too. Whole-model hooks (GradientClipping)
 * are checked on the same packs: the spec's rate from the backend's norms, then `scale`.
 */
import fc from "fast-check";
import {
  type Dtype,
  type HookKind,
  type Json,
  type NDArray,
  type WholeKernelDesc,
  np,
  roundTo,
  maxFinite,
} from "../../spec/index.js";
import { hookArgsArb } from "../hook-args.js";
import type { AnyBackend } from "../../backends/contract.js";
import { lengthArb, valueArb } from "../arbitraries.js";
import { diagnoseSumSquares } from "../diagnosis/reductions.js";
import { backendProperty, type Body } from "./drive.js";
import { describeArray, expectClose } from "./compare.js";
import { allowedUlp } from "./kernel-clauses.js";
import { type Layout, download, layoutOf, packArb, slice } from "./packed.js";
import { type Check, type CheckContext, Mismatch } from "./types.js";

/** Values spread over many binades, so that any other summation order rounds differently. */
function spreadArb(dtype: Dtype): fc.Arbitrary<number> {
  // Squares within about one mantissa width of each other: every addition rounds, none vanishes.
  const span = dtype === "float16" ? 3 : dtype === "float32" ? 8 : 18;
  return fc
    .tuple(fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: -span, max: span }), fc.boolean())
    .map(([m, e, neg]) => roundTo(dtype, (neg ? -1 : 1) * m * 2 ** e));
}

/** An order-sensitive array, sometimes with one non-finite element at a chosen position (tails included). */
function reductionArrayArb(dtype: Dtype): fc.Arbitrary<NDArray> {
  // Mostly longer than one SIMD vector, where lanes and trees differ from the sequential sum.
  return fc
    .oneof({ weight: 1, arbitrary: lengthArb }, { weight: 3, arbitrary: fc.integer({ min: 5, max: 70 }) })
    .chain((n) =>
      fc
        .tuple(
          fc.array(
            fc.oneof(
              { weight: 3, arbitrary: spreadArb(dtype) },
              { weight: 1, arbitrary: valueArb(dtype, { finite: true }) },
            ),
            { minLength: n, maxLength: n },
          ),
          // One array in four carries a non-finite element (which hides any summation order).
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.tuple(fc.nat(Math.max(0, n - 1)), fc.constantFrom(NaN, Infinity, -Infinity)) },
          ),
        )
        .map(([vals, bad]) => {
          const data = Float64Array.from(vals);
          if (bad !== null && n > 0) data[Math.min(bad[0], n - 1)] = bad[1];
          return { dtype, shape: [n], data };
        }),
    );
}

/** Guards that poison any read outside a segment: non-finite and huge values. */
function guard(dtype: Dtype, i: number): number {
  const g = [NaN, Infinity, maxFinite(dtype), -Infinity];
  return g[i % g.length] as number;
}

function packed(dtype: Dtype, layout: Layout, parts: readonly NDArray[]): Float64Array {
  const out = new Float64Array(layout.total);
  for (let i = 0; i < out.length; i++) out[i] = guard(dtype, i);
  parts.forEach((p, k) => out.set(p.data, layout.offsets[k] as number));
  return out;
}

function* reductionBody(
  ctx: CheckContext,
  dtype: Dtype,
  xs: readonly NDArray[],
  gaps: readonly number[],
  maxUlp: { value: number },
): Body {
  const b: AnyBackend = ctx.backend;
  const layout = layoutOf(
    xs.map((x) => x.data.length),
    gaps,
  );
  const buf = b.memory.alloc(dtype, layout.total);
  yield b.memory.write(buf, packed(dtype, layout, xs), 0);
  const tol = allowedUlp(b, "reductions");
  for (const [k, x] of xs.entries()) {
    const off = layout.offsets[k] as number;
    const n = x.data.length;
    const ss = (yield b.reductions.sumSquares(dtype, buf, off, n)) as number;
    const e: NDArray = { dtype, shape: [1], data: Float64Array.of(np.dotSelf(x).data[0] as number) };
    const a: NDArray = { dtype, shape: [1], data: Float64Array.of(ss) };
    try {
      maxUlp.value = Math.max(
        maxUlp.value,
        expectClose(`sumSquares of segment ${k} (offset ${off}, length ${n})`, "numerics.dot.sequential", e, a, tol),
      );
    } catch (err) {
      if (err instanceof Mismatch)
        throw new Mismatch(err.diff, () => diagnoseSumSquares(x, ss, off, packed(dtype, layout, xs)));
      throw err;
    }
    const fin = (yield b.reductions.allFinite(dtype, buf, off, n)) as boolean;
    if (fin !== np.allFinite(x)) {
      throw new Mismatch({
        what: `allFinite of segment ${k} (offset ${off}, length ${n}) returned ${fin}`,
        clause: "loss-scale.dynamic.check",
        detail: `for ${describeArray(x)}`,
      });
    }
  }
  b.memory.free?.(buf);
}

export function reductionCheck(dtype: Dtype): Check {
  return {
    id: `reduction/sumSquares+allFinite/${dtype}`,
    group: "reductions",
    kernel: "reductions",
    dtype,
    clauses: ["numerics.dot.sequential", "loss-scale.dynamic.check"],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : null),
    property: (ctx, maxUlp) =>
      backendProperty(ctx.backend, packArb(reductionArrayArb(dtype)), (p) =>
        reductionBody(ctx, dtype, p.cases, p.gaps, maxUlp),
      ),
  };
}

function* wholeBody(
  ctx: CheckContext,
  kind: HookKind,
  desc: WholeKernelDesc,
  dtype: Dtype,
  gs: readonly NDArray[],
  gaps: readonly number[],
  args: Readonly<Record<string, Json>>,
  maxUlp: { value: number },
): Body {
  // oxlint-disable-next-line typescript/unbound-method -- hook kinds are records of plain functions that never use `this`
  const whole = kind.whole;
  if (whole === undefined) return;
  const b: AnyBackend = ctx.backend;
  const layout = layoutOf(
    gs.map((g) => g.data.length),
    gaps,
  );
  const params = gs.map((g, i) => ({
    path: `/p${i}`,
    param: { dtype, shape: g.shape, data: g, grad: g, gradValid: true, lossScale: null },
  }));
  const expected = whole({ args, state: null, params, t: 1 });
  const guards = packed(dtype, layout, gs);
  const buf = b.memory.alloc(dtype, layout.total);
  yield b.memory.write(buf, guards, 0);
  const squares: number[] = [];
  for (const [k, g] of gs.entries())
    squares.push((yield b.reductions.sumSquares(dtype, buf, layout.offsets[k] as number, g.data.length)) as number);
  const { rate } = desc.rateOf(args, squares);
  const scaling = rate !== null;
  if (rate !== null)
    for (const [k, g] of gs.entries())
      yield b.reductions.scale(dtype, buf, layout.offsets[k] as number, g.data.length, rate);
  const out = yield* download(b, buf, layout.total);
  b.memory.free?.(buf);
  const tol = allowedUlp(b, kind.kind);
  for (const [k, g] of gs.entries()) {
    const e = expected.grads[`/p${k}`] ?? g;
    const a = slice(dtype, out, layout.offsets[k] as number, g.data.length);
    maxUlp.value = Math.max(
      maxUlp.value,
      expectClose(`grad of segment ${k} (offset ${layout.offsets[k]})`, scaling ? desc.clause : kind.clause, e, a, tol),
    );
  }
  // A scale that reaches outside its segment changes a finite guard.
  for (let j = 0; j < out.length; j++) {
    const inside = layout.offsets.some((o, k) => j >= o && j < o + (layout.lengths[k] as number));
    const gv = guards[j] as number;
    if (!inside && Number.isFinite(gv) && !Object.is(out[j], gv)) {
      throw new Mismatch({
        what: `element ${j} lies outside every segment but was scaled`,
        clause: desc.clause,
        index: j,
      });
    }
  }
}

/**
 * A whole hook's arguments, where any numeric argument may equal the gradients' total norm
 * (`sqrt` of the sum of the squared norms, in float64): a threshold met exactly.
 */
function atTheNorm(kind: HookKind, gs: readonly NDArray[]): fc.Arbitrary<Readonly<Record<string, Json>>> {
  const norm = Math.sqrt(gs.reduce((acc, g) => acc + (np.dotSelf(g).data[0] as number), 0));
  const numeric = (kind.args ?? []).filter((a) => a.type === "number").map((a) => a.name);
  return hookArgsArb(kind).chain((args) => {
    const present = numeric.filter((n) => n in args);
    if (present.length === 0 || !Number.isFinite(norm) || norm === 0) return fc.constant(args);
    return fc
      .option(fc.constantFrom(...present), { freq: 2 })
      .map((name) => (name === null ? args : { ...args, [name]: norm }));
  });
}

/** A whole-model hook (GradientClipping): norms from the backend's `sumSquares`, the spec's rate, then `scale`. */
export function wholeHookCheck(kind: HookKind, desc: WholeKernelDesc, dtype: Dtype): Check {
  return {
    id: `hook/${kind.kind}/${dtype}`,
    group: "hook kernels",
    kernel: kind.kind,
    dtype,
    clauses: [kind.clause, desc.clause, "numerics.dot.sequential"],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : null),
    property: (ctx, maxUlp) =>
      backendProperty(
        ctx.backend,
        packArb(
          lengthArb.chain((n) =>
            fc
              .array(valueArb(dtype), { minLength: n, maxLength: n })
              .map((v): NDArray => ({ dtype, shape: [n], data: Float64Array.from(v) })),
          ),
        ).chain((p) => fc.tuple(fc.constant(p), atTheNorm(kind, p.cases))),
        ([p, args]) => wholeBody(ctx, kind, desc, dtype, p.cases, p.gaps, args, maxUlp),
      ),
  };
}
