/**
 * Per-parameter hook kernel checks: packs of parameters (each its own arguments, loss scale and
 * length) in shared param/grad buffers with guarded gaps, one `apply` through the contract, each
 * segment's gradient compared with the spec's hook, guards and the parameter left untouched.
 */
import fc from "fast-check";
import {
  type Dtype,
  type HookKind,
  type Json,
  type NDArray,
  type PerParamCall,
  type PerParamKernelDesc,
} from "../../spec/index.js";
import type { AnyBackend, HookSegment } from "../../backends/contract.js";
import { arrayArb, lengthArb } from "../arbitraries.js";
import { hookCornerArgsArb } from "../hook-args.js";
import { backendProperty, type Body } from "./drive.js";
import { expectClose } from "./compare.js";
import { allowedUlp } from "./kernel-clauses.js";
import { hookScalars } from "./hook-scalars.js";
import { diagnoseHook } from "../diagnosis/hook.js";
import { download, firstGuardViolation, layoutOf, packArb, packedData, slice, upload } from "./packed.js";
import { type Check, type CheckContext, Mismatch } from "./types.js";

interface HookCase {
  readonly p: NDArray;
  readonly g: NDArray;
  readonly args: Readonly<Record<string, Json>>;
  readonly lossScale: number | null;
  readonly t: number;
}

function hookCaseArb(kind: HookKind, dtype: Dtype): fc.Arbitrary<HookCase> {
  return lengthArb.chain((n) =>
    fc
      .record({
        p: arrayArb(dtype, n),
        g: arrayArb(dtype, n),
        t: fc.integer({ min: 0, max: 20 }),
        lossScale: fc.constantFrom(null, 128, 1000),
      })
      .chain((r) => hookCornerArgsArb(kind, r.p, r.g).map((args) => ({ ...r, args }))),
  );
}

function callOf(kind: HookKind, c: HookCase): PerParamCall {
  const state = kind.initialState ? kind.initialState(c.args) : null;
  const param = { dtype: c.p.dtype, shape: c.p.shape, data: c.p, grad: c.g, gradValid: true, lossScale: c.lossScale };
  return { args: c.args, state, rule: { t: c.t, hyperparam: {}, path: "/p" }, param, path: "/p" };
}

function* packBody(
  ctx: CheckContext,
  kind: HookKind,
  desc: PerParamKernelDesc,
  dtype: Dtype,
  drawn: readonly HookCase[],
  gaps: readonly number[],
  maxUlp: { value: number },
): Body {
  const backend: AnyBackend = ctx.backend;
  const hk = backend.hooks[desc.name];
  if (hk === undefined) throw new Mismatch({ what: `no ${desc.name} kernel`, clause: kind.clause });
  // oxlint-disable-next-line typescript/unbound-method -- hook kinds are records of plain functions that never use `this`
  const perParam = kind.perParam;
  if (perParam === undefined) return;
  let cases = drawn;
  // Arguments the spec rejects (it raises, as Chainer does) never reach a kernel.
  const kept = cases.flatMap((c) => {
    const call = callOf(kind, c);
    try {
      return [{ c, call, expected: perParam(call).grad as NDArray }];
    } catch {
      return [];
    }
  });
  fc.pre(kept.length > 0);
  cases = kept.map((k) => k.c);
  const layout = layoutOf(
    cases.map((c) => c.p.data.length),
    gaps,
  );
  const calls = kept.map((k) => k.call);
  const expected = kept.map((k) => k.expected);
  // oxlint-disable-next-line typescript/unbound-method -- noise functions are plain functions that never use `this`
  const draw = desc.noise;
  const pBuf = yield* upload(
    backend,
    dtype,
    packedData(
      dtype,
      layout,
      0,
      cases.map((c) => c.p),
    ),
  );
  const gBuf = yield* upload(
    backend,
    dtype,
    packedData(
      dtype,
      layout,
      1,
      cases.map((c) => c.g),
    ),
  );
  const noise =
    draw !== undefined ? calls.map((call, k) => draw(call, (cases[k] as HookCase).p.shape, dtype).noise) : [];
  const nBuf = draw !== undefined ? yield* upload(backend, dtype, packedData(dtype, layout, 2, noise)) : undefined;
  const segments: HookSegment[] = [];
  for (const [k, c] of cases.entries()) {
    const offset = layout.offsets[k] as number;
    const length = c.p.data.length;
    const scalars = hookScalars(desc, calls[k] as PerParamCall);
    segments.push({ offset, length, scalars });
  }
  yield hk.apply(dtype, { param: pBuf, grad: gBuf, ...(nBuf !== undefined ? { noise: nBuf } : {}) }, segments);
  const p = yield* download(backend, pBuf, layout.total);
  const g = yield* download(backend, gBuf, layout.total);
  for (const b of [pBuf, gBuf, ...(nBuf !== undefined ? [nBuf] : [])]) backend.memory.free?.(b);
  const tol = allowedUlp(backend, desc.name);
  const outcomes = expected.map((e, k) => ({
    call: calls[k] as PerParamCall,
    expected: e,
    actual: slice(dtype, g, layout.offsets[k] as number, layout.lengths[k] as number),
  }));
  for (const [k, o] of outcomes.entries()) {
    try {
      maxUlp.value = Math.max(
        maxUlp.value,
        expectClose(
          `segment ${k} of ${cases.length} (offset ${layout.offsets[k]}): grad`,
          kind.clause,
          o.expected,
          o.actual,
          tol,
        ),
      );
    } catch (err) {
      if (err instanceof Mismatch)
        throw new Mismatch(err.diff, () => diagnoseHook({ kind, tol, segments: outcomes, k, layout }));
      throw err;
    }
  }
  const gi = firstGuardViolation(dtype, layout, 1, g);
  if (gi >= 0)
    throw new Mismatch({
      what: `grad element ${gi} lies outside every segment but was overwritten`,
      clause: kind.clause,
      index: gi,
      detail: `segments at offsets [${layout.offsets.join(", ")}]`,
    });
  const pin = packedData(
    dtype,
    layout,
    0,
    cases.map((c) => c.p),
  );
  const pi = p.findIndex((x, i) => !Object.is(x, pin[i]) && !(Number.isNaN(x) && Number.isNaN(pin[i] as number)));
  if (pi >= 0)
    throw new Mismatch({
      what: `param element ${pi} changed (a hook rewrites the gradient only)`,
      clause: kind.clause,
      index: pi,
    });
}

export function hookCheck(kind: HookKind, desc: PerParamKernelDesc, dtype: Dtype): Check {
  return {
    id: `hook/${kind.kind}/${dtype}`,
    group: "hook kernels",
    kernel: desc.name,
    dtype,
    clauses: [kind.clause, ...desc.scalars.map((s) => s.clause).filter((c) => c !== kind.clause)],
    applies: (b) =>
      !b.dtypes.includes(dtype)
        ? `backend does not compute ${dtype}`
        : b.hooks[desc.name] === undefined
          ? `no ${desc.name} kernel`
          : null,
    property: (ctx, maxUlp) =>
      backendProperty(ctx.backend, packArb(hookCaseArb(kind, dtype)), (pk) =>
        packBody(ctx, kind, desc, dtype, pk.cases, pk.gaps, maxUlp),
      ),
  };
}
