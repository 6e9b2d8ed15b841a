/**
 * Diagnose a failing optimizer kernel: find the first stage whose result the backend's outputs are
 * inconsistent with (state entries in order, then the parameter), then try every catalogued mistake
 * and report the one that reproduces the backend's outputs, narrowing the clause to the mistake's
 * stage when it has one.
 */
import type { NDArray, UpdateResult } from "../../spec/index.js";
import type { Diagnosis } from "../report.js";
import { failingIndices, sameBits } from "../checks/compare.js";
import { outputClause } from "../checks/kernel-clauses.js";
import { countMatch, type MatchCount } from "./match.js";
import { OPTIMIZER_VARIANTS, type OptimizerFailure, type OptimizerVariant, type SegmentOutcome } from "./variants.js";

export type { OptimizerFailure, SegmentOutcome } from "./variants.js";

/** The first output, in stage order, where the backend differs from the spec. */
function firstFailingOutput(f: OptimizerFailure): string {
  const o = f.segments[f.k] as SegmentOutcome;
  for (const key of Object.keys(o.expected.state)) {
    const a = o.actual.state[key];
    if (a === undefined || failingIndices(o.expected.state[key]!, a, f.tol).length > 0) return key;
  }
  return "param";
}

/**
 * The segment whose offset the backend ignored, if any: its update, applied to whatever the buffers
 * held at offset 0, is what the backend wrote at offset 0.
 */
function computedAtZero(f: OptimizerFailure): number {
  return f.segments.findIndex((o, j) => {
    const n = o.call.param.data.length;
    if ((f.layout.offsets[j] as number) === 0 || n === 0) return false;
    const at0 = (name: string) => ({ dtype: f.dtype, shape: [n], data: (f.inputs[name] as Float64Array).slice(0, n) });
    const state: Record<string, NDArray> = {};
    for (const k of Object.keys(o.call.state)) state[k] = at0(k);
    let r: UpdateResult;
    try {
      r = f.def.update({ ...o.call, param: at0("param"), grad: at0("grad"), state });
    } catch {
      return false;
    }
    const same = (name: string, e: NDArray) =>
      Array.from(e.data).every((x, i) => sameBits(x, (f.raw[name] as Float64Array)[i] as number));
    return same("param", r.param) && Object.entries(r.state).every(([k, v]) => same(k, v));
  });
}

interface Scored {
  readonly variant: OptimizerVariant;
  readonly count: MatchCount;
}

export function diagnoseOptimizer(f: OptimizerFailure): Diagnosis {
  const o = f.segments[f.k] as SegmentOutcome;
  const stage = outputClause(f.def, firstFailingOutput(f));
  const scored: Scored[] = [];
  for (const variant of OPTIMIZER_VARIANTS) {
    const p = variant.predict(f);
    if (p === null) continue;
    scored.push({ variant, count: countMatch(o.expected, o.actual, p, f.tol) });
  }
  // A variant that reproduces every output wins; among the rest, the one reproducing most failing elements.
  scored.sort((a, b) => Number(b.count.whole) - Number(a.count.whole) || b.count.matched - a.count.matched);
  const best = scored[0];
  const where = `segment ${f.k} (offset ${f.layout.offsets[f.k]}, length ${o.call.param.data.length})`;
  const zero = computedAtZero(f);
  if (zero >= 0) {
    return {
      clause: stage,
      variant: "offset-ignored",
      summary: `segment ${zero} (offset ${f.layout.offsets[zero]}) was computed at offset 0 from what lay there: Segment.offset ignored`,
    };
  }
  if (best === undefined || best.count.matched === 0) {
    return {
      clause: stage,
      variant: null,
      summary: `no catalogued mistake reproduces ${where}; the first stage that differs is ${stage}`,
    };
  }
  const { variant, count } = best;
  const clause = count.whole ? (variant.clause?.(f.def) ?? stage) : stage;
  const how = count.whole ? "match" : "partly match";
  // Other mistakes that reproduce the outputs just as well (a small counterexample may not tell them apart).
  const alternatives = scored
    .slice(1)
    .filter((x) => x.count.whole === count.whole && x.count.matched === count.matched)
    .map((x) => x.variant.id);
  return {
    ...(alternatives.length > 0 ? { alternatives } : {}),
    clause,
    variant: variant.id,
    summary: `your outputs ${how} the spec with ${variant.mistake} in ${clause} on ${count.matched} of ${count.failing} failing elements (${where})${alternatives.length > 0 ? `; equally consistent with: ${alternatives.join(", ")}` : ""}`,
    matched: count.matched,
    failing: count.failing,
  };
}
