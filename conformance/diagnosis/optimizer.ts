/**
 * Diagnose a failing optimizer kernel: find the first stage whose result the backend's outputs are
 * inconsistent with (state entries in order, then the parameter), then try every catalogued mistake
 * and report the one that reproduces the backend's outputs, narrowing the clause to the mistake's
 * stage when it has one.
 */
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

/** Whether the backend wrote segment k's expected outputs at offset 0 instead of its own offset. */
function computedAtZero(f: OptimizerFailure): boolean {
  const o = f.segments[f.k] as SegmentOutcome;
  const off = f.layout.offsets[f.k] as number;
  const n = o.call.param.data.length;
  if (off === 0 || n === 0) return false;
  const at0 = (name: string, e: Float64Array) => {
    const raw = f.raw[name];
    return raw !== undefined && Array.from(e).every((x, i) => sameBits(x, raw[i] as number));
  };
  return at0("param", o.expected.param.data) && Object.entries(o.expected.state).every(([k, v]) => at0(k, v.data));
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
  if (best === undefined || best.count.matched === 0) {
    return { clause: stage, variant: null, summary: `no catalogued mistake reproduces ${where}; the first stage that differs is ${stage}` };
  }
  const { variant, count } = best;
  if (variant.id === "segment-skipped" && computedAtZero(f)) {
    return { clause: stage, variant: "offset-ignored", summary: `${where} was computed at offset 0: Segment.offset ignored`, matched: count.matched, failing: count.failing };
  }
  const clause = count.whole ? (variant.clause?.(f.def) ?? stage) : stage;
  const how = count.whole ? "match" : "partly match";
  return {
    clause,
    variant: variant.id,
    summary: `your outputs ${how} the spec with ${variant.mistake} in ${clause} on ${count.matched} of ${count.failing} failing elements (${where})`,
    matched: count.matched,
    failing: count.failing,
  };
}
