/**
 * Optimizer kernel checks: packs of random single-parameter updates (each segment its own
 * hyperparameters, `t`, extras and length) in shared buffers with guarded gaps, one kernel call
 * through the contract, every segment's outputs compared with the spec bit for bit (or within the
 * promised bound), guards and the gradient left untouched. A failure is diagnosed on the shrunk
 * counterexample.
 */
import fc from "fast-check";
import { type Dtype, type NDArray, type OptimizerDef, type UpdateCall, type UpdateResult } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import { type KernelCase, kernelCaseArb, kernelCaseCall } from "../arbitraries.js";
import { diagnoseOptimizer, type SegmentOutcome } from "../diagnosis/optimizer.js";
import { backendProperty, type Body } from "./drive.js";
import { expectClose } from "./compare.js";
import { type Layout, download, firstGuardViolation, layoutOf, packArb, packedData, slice, upload } from "./packed.js";
import { type Check, type CheckContext, Mismatch } from "./types.js";
import { allowedUlp, outputClause, stageClauses } from "./kernel-clauses.js";

/** The spec's result for a case, or null when the kernel never sees such a call (the spec raises or widens a dtype). */
function specOutcome(def: OptimizerDef, c: KernelCase): { call: UpdateCall; expected: UpdateResult } | null {
  const call = kernelCaseCall(c);
  let expected: UpdateResult;
  try {
    expected = def.update(call);
  } catch {
    return null;
  }
  if (expected.param.dtype !== c.dtype || Object.values(expected.state).some((v) => v.dtype !== c.dtype)) return null;
  if (Object.keys(expected.state).join() !== Object.keys(c.state).join()) return null;
  return { call, expected };
}

function* packBody(
  ctx: CheckContext,
  def: OptimizerDef,
  dtype: Dtype,
  cases: readonly KernelCase[],
  gaps: readonly number[],
  maxUlp: { value: number },
): Body {
  const backend: AnyBackend = ctx.backend;
  const kernelName = def.kernel ?? def.name;
  const kernel = backend.optimizers[kernelName];
  if (kernel === undefined) throw new Mismatch({ what: `no ${kernelName} kernel`, clause: def.clause });
  // Segments of one call share their buffers, so they share their state keys (the first case's).
  const keys = Object.keys(cases[0]?.state ?? {});
  const kept = cases.flatMap((c) => {
    if (Object.keys(c.state).join() !== keys.join()) return [];
    const o = specOutcome(def, c);
    return o === null ? [] : [o];
  });
  fc.pre(kept.length > 0);
  const layout: Layout = layoutOf(
    kept.map((o) => o.call.param.data.length),
    gaps,
  );
  const names = ["param", "grad", ...keys];
  const inputs = (name: string): NDArray[] =>
    kept.map(({ call }) =>
      name === "param" ? call.param : name === "grad" ? call.grad : (call.state[name] as NDArray),
    );
  const bufs: Record<string, unknown> = {};
  const packedIn: Record<string, Float64Array> = {};
  for (const [w, name] of names.entries()) {
    packedIn[name] = packedData(dtype, layout, w, inputs(name));
    bufs[name] = yield* upload(backend, dtype, packedIn[name]);
  }
  const state: Record<string, unknown> = {};
  for (const k of keys) state[k] = bufs[k];
  const segments = kept.map(({ call }, k) => ({
    offset: layout.offsets[k] as number,
    length: layout.lengths[k] as number,
    hp: call.hp,
    t: call.t,
    extras: call.extras,
  }));
  yield kernel.update(dtype, { param: bufs["param"], grad: bufs["grad"], state }, segments);
  const raw: Record<string, Float64Array> = {};
  for (const name of names) {
    raw[name] = yield* download(backend, bufs[name], layout.total);
    backend.memory.free?.(bufs[name]);
  }
  const tol = allowedUlp(backend, kernelName);
  const outcomes: SegmentOutcome[] = kept.map(({ call, expected }, k) => {
    const at = (name: string) =>
      slice(dtype, raw[name] as Float64Array, layout.offsets[k] as number, layout.lengths[k] as number);
    const st: Record<string, NDArray> = {};
    for (const key of keys) st[key] = at(key);
    return { call, expected, actual: { param: at("param"), state: st } };
  });
  const diagnose = (k: number) => () =>
    diagnoseOptimizer({ def, dtype, tol, segments: outcomes, k, raw, inputs: packedIn, layout });
  for (const [k, o] of outcomes.entries()) {
    // Stage order: the state entries (computed first), then the parameter.
    for (const name of [...keys, "param"]) {
      const e = name === "param" ? o.expected.param : (o.expected.state[name] as NDArray);
      const a = name === "param" ? o.actual.param : (o.actual.state[name] as NDArray);
      try {
        maxUlp.value = Math.max(
          maxUlp.value,
          expectClose(
            `segment ${k} of ${kept.length} (offset ${layout.offsets[k]}): ${name === "param" ? "param" : `state.${name}`}`,
            outputClause(def, name),
            e,
            a,
            tol,
          ),
        );
      } catch (err) {
        if (err instanceof Mismatch) throw new Mismatch(err.diff, diagnose(k));
        throw err;
      }
    }
  }
  for (const [w, name] of names.entries()) {
    const i = firstGuardViolation(dtype, layout, w, raw[name] as Float64Array);
    if (i >= 0) {
      const k = Math.max(0, layout.offsets.findIndex((off) => off > i) - 1);
      throw new Mismatch(
        {
          what: `${name} element ${i} lies outside every segment but was overwritten`,
          clause: outputClause(def, name === "grad" ? "param" : name),
          index: i,
          detail: `segments at offsets [${layout.offsets.join(", ")}], lengths [${layout.lengths.join(", ")}]`,
        },
        diagnose(k),
      );
    }
  }
  const g = raw["grad"] as Float64Array;
  const gin = packedIn["grad"] as Float64Array;
  const gi = g.findIndex((x, i) => !Object.is(x, gin[i]) && !(Number.isNaN(x) && Number.isNaN(gin[i] as number)));
  if (gi >= 0)
    throw new Mismatch({
      what: `grad element ${gi} changed (an optimizer update reads the gradient, never writes it)`,
      clause: def.clause,
      index: gi,
    });
}

export function optimizerCheck(def: OptimizerDef, dtype: Dtype): Check {
  const kernel = def.kernel ?? def.name;
  return {
    id: `kernel/${def.name}/${dtype}`,
    group: "optimizer kernels",
    kernel,
    dtype,
    clauses: [...new Set([def.clause, ...Object.values(def.stateClauses ?? {}), ...stageClauses(def)])],
    applies: (b) =>
      !b.dtypes.includes(dtype)
        ? `backend does not compute ${dtype}`
        : b.optimizers[kernel] === undefined
          ? `no ${kernel} kernel`
          : null,
    property: (ctx, maxUlp) =>
      backendProperty(ctx.backend, packArb(kernelCaseArb(def, dtype)), (p) =>
        packBody(ctx, def, dtype, p.cases, p.gaps, maxUlp),
      ),
  };
}
