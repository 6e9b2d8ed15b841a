/**
 * Merging several runs into one, for a baseline (or a head) that carries run-to-run noise, which a
 * single run's rme does not see: on a shared machine the same JS kernel can differ by 1.5–2× from
 * one process to the next (V8's compilation timing, neighbours on the host), with a ±2% rme in each.
 *
 * Per row id: ops/s is the median over the runs that have the row; rmePct is the larger of the
 * runs' largest rme and their half-range (max − min) / 2 relative to the median; samples are summed.
 * Roofline fractions and peer ratios are recomputed from the merged rows. Environment and settings
 * are the first run's.
 */
import { link, withOpsPerSec } from "./derive.js";
import type { BenchReport, BenchRow } from "./result.js";

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

function mergeRows(rows: readonly BenchRow[]): Omit<BenchRow, "rooflineGBps" | "rooflineFraction" | "peerTimeRatio"> {
  const ops = rows.map((r) => r.opsPerSec).sort((a, b) => a - b);
  const med = median(ops);
  const spreadPct = (((ops[ops.length - 1] as number) - (ops[0] as number)) / 2 / med) * 100;
  const { rooflineGBps: _r, rooflineFraction: _f, peerTimeRatio: _p, ...first } = rows[0] as BenchRow;
  return withOpsPerSec(
    {
      ...first,
      rmePct: Math.max(spreadPct, ...rows.map((r) => r.rmePct)),
      samples: rows.reduce((n, r) => n + r.samples, 0),
      warmupCalls: Math.min(...rows.map((r) => r.warmupCalls)),
      afterDetach: rows.some((r) => r.afterDetach),
      runs: rows.reduce((n, r) => n + (r.runs ?? 1), 0),
    },
    med,
  );
}

export function mergeRuns(reports: readonly BenchReport[]): BenchReport {
  const first = reports[0];
  if (first === undefined) throw new RangeError("mergeRuns: no runs");
  if (reports.length === 1) return first;
  const byId = new Map<string, BenchRow[]>();
  for (const rep of reports) for (const r of rep.results) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return {
    ...first,
    results: link([...byId.values()].map(mergeRows)),
    wallSeconds: reports.reduce((s, r) => s + r.wallSeconds, 0),
    runs: reports.reduce((n, r) => n + (r.runs ?? 1), 0),
  };
}
