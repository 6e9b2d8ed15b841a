/**
 * Diagnose a failing per-parameter hook kernel with the same catalog: the hook's own formula under
 * each arithmetic mistake, another segment's arguments, a skipped segment or SIMD tail.
 */
import {
  type HookKind,
  type NDArray,
  type NumericsContext,
  type PerParamCall,
  withNumerics,
} from "../../spec/index.js";
import type { Diagnosis } from "../report.js";
import type { Layout } from "../checks/packed.js";
import { countMatch, type MatchCount, type Outputs } from "./match.js";
import { float64Intermediates, flushSubnormals, fusedMultiplyAdd, scalarUnrounded } from "./arithmetic.js";

export interface HookSegmentOutcome {
  readonly call: PerParamCall;
  readonly expected: NDArray;
  readonly actual: NDArray;
}

export interface HookFailure {
  readonly kind: HookKind;
  readonly tol: number;
  readonly segments: readonly HookSegmentOutcome[];
  readonly k: number;
  readonly layout: Layout;
}

interface HookVariant {
  readonly id: string;
  readonly mistake: string;
  predict(f: HookFailure): NDArray | null;
}

function gradOf(kind: HookKind, call: PerParamCall, ctx?: NumericsContext): NDArray | null {
  const run = () => kind.perParam?.(call).grad ?? null;
  try {
    return ctx === undefined ? run() : withNumerics(ctx, run);
  } catch {
    return null;
  }
}

const seg = (f: HookFailure) => f.segments[f.k] as HookSegmentOutcome;
const input = (f: HookFailure) => seg(f).call.param.grad as NDArray;

function keepInput(f: HookFailure, keep: (i: number) => boolean): NDArray {
  const e = seg(f).expected;
  return { ...e, data: e.data.map((x, i) => (keep(i) ? (input(f).data[i] as number) : x)) };
}

const VARIANTS: readonly HookVariant[] = [
  {
    id: "first-segment-settings",
    mistake: "the first segment's arguments used for every segment",
    predict: (f) =>
      f.k === 0 ? null : gradOf(f.kind, { ...seg(f).call, args: (f.segments[0] as HookSegmentOutcome).call.args }),
  },
  ...[4, 8, 16].map((lanes): HookVariant => ({
    id: `simd-tail-skipped-${lanes}`,
    mistake: `the SIMD tail skipped (elements past the last multiple of ${lanes} left as they were)`,
    predict: (f) => {
      const n = input(f).data.length;
      return n % lanes === 0 ? null : keepInput(f, (i) => i >= n - (n % lanes));
    },
  })),
  {
    id: "fused-multiply-add",
    mistake: "`a·b + c` fused (the product not rounded before the addition)",
    predict: (f) => gradOf(f.kind, seg(f).call, fusedMultiplyAdd()),
  },
  {
    id: "scalar-unrounded",
    mistake: "Python-float scalars not rounded to the array's dtype before they meet it",
    predict: (f) => (input(f).dtype === "float64" ? null : gradOf(f.kind, seg(f).call, scalarUnrounded())),
  },
  {
    id: "float64-intermediates",
    mistake: "float64 intermediates, rounded once when stored",
    predict: (f) => (input(f).dtype === "float64" ? null : gradOf(f.kind, seg(f).call, float64Intermediates())),
  },
  {
    id: "flushed-subnormals",
    mistake: "subnormals flushed to zero (inputs and results)",
    predict: (f) => gradOf(f.kind, seg(f).call, flushSubnormals()),
  },
  {
    id: "segment-skipped",
    mistake: "this segment never computed (dropped, or computed at another offset)",
    predict: (f) => keepInput(f, () => true),
  },
];

const out = (grad: NDArray): Outputs => ({ param: grad, state: {} });

export function diagnoseHook(f: HookFailure): Diagnosis {
  const o = seg(f);
  const clause = f.kind.clause;
  const where = `segment ${f.k} (offset ${f.layout.offsets[f.k]}, length ${o.expected.data.length})`;
  const scored: { id: string; mistake: string; count: MatchCount }[] = [];
  for (const v of VARIANTS) {
    const p = v.predict(f);
    if (p !== null)
      scored.push({ id: v.id, mistake: v.mistake, count: countMatch(out(o.expected), out(o.actual), out(p), f.tol) });
  }
  scored.sort((a, b) => Number(b.count.whole) - Number(a.count.whole) || b.count.matched - a.count.matched);
  const best = scored[0];
  if (best === undefined || best.count.matched === 0)
    return { clause, variant: null, summary: `no catalogued mistake reproduces ${where}` };
  const alternatives = scored
    .slice(1)
    .filter((x) => x.count.whole === best.count.whole && x.count.matched === best.count.matched)
    .map((x) => x.id);
  const how = best.count.whole ? "match" : "partly match";
  return {
    clause,
    variant: best.id,
    summary: `your outputs ${how} the spec with ${best.mistake} in ${clause} on ${best.count.matched} of ${best.count.failing} failing elements (${where})${alternatives.length > 0 ? `; equally consistent with: ${alternatives.join(", ")}` : ""}`,
    matched: best.count.matched,
    failing: best.count.failing,
    ...(alternatives.length > 0 ? { alternatives } : {}),
  };
}
