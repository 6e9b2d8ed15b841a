/**
 * Regression check between two runs. A row of ours (a backend kernel, the state machine, the spec)
 * regresses when its slowdown, (base ops/s ÷ head ops/s − 1), exceeds both the threshold and the
 * measured noise, the two runs' relative margins of error combined (√(rme₁² + rme₂²)). The triad
 * and the TF.js peers are reported as context (the machine, the peer) and never fail the check.
 */
import type { BenchReport, BenchRow } from "./result.js";

export interface Change {
  readonly id: string;
  readonly base: BenchRow;
  readonly head: BenchRow;
  /** Percent: positive when head is slower. */
  readonly slowdownPct: number;
  /** Percent: the combined relative margin of error. */
  readonly noisePct: number;
}

export interface Comparison {
  readonly thresholdPct: number;
  readonly regressions: readonly Change[];
  readonly improvements: readonly Change[];
  /** Context rows (roofline, peers) that moved beyond threshold and noise. */
  readonly context: readonly Change[];
  readonly unchanged: number;
  readonly onlyInBase: readonly string[];
  readonly onlyInHead: readonly string[];
  /** Environment fields that differ between the runs (the comparison may then mean little). */
  readonly envDiffs: readonly string[];
}

const isOurs = (r: BenchRow): boolean =>
  r.via === "kernel" || r.via === "state-machine" || r.via === "raw-calls" || r.via === "spec";

export function compareRuns(base: BenchReport, head: BenchReport, thresholdPct = 10): Comparison {
  const baseById = new Map(base.results.map((r) => [r.id, r]));
  const headIds = new Set(head.results.map((r) => r.id));
  const regressions: Change[] = [];
  const improvements: Change[] = [];
  const context: Change[] = [];
  let unchanged = 0;
  for (const h of head.results) {
    const b = baseById.get(h.id);
    if (b === undefined) continue;
    const slowdownPct = (b.opsPerSec / h.opsPerSec - 1) * 100;
    const speedupPct = (h.opsPerSec / b.opsPerSec - 1) * 100;
    const noisePct = Math.hypot(b.rmePct, h.rmePct);
    const change: Change = { id: h.id, base: b, head: h, slowdownPct, noisePct };
    const slower = slowdownPct > thresholdPct && slowdownPct > noisePct;
    const faster = speedupPct > thresholdPct && speedupPct > noisePct;
    if (!isOurs(h)) {
      if (slower || faster) context.push(change);
    } else if (slower) regressions.push(change);
    else if (faster) improvements.push(change);
    else unchanged++;
  }
  const envDiffs = (["node", "cpuModel", "cores", "platform", "arch"] as const)
    .filter((k) => base.env[k] !== head.env[k])
    .map((k) => `${k}: ${String(base.env[k])} → ${String(head.env[k])}`);
  return {
    thresholdPct,
    regressions: regressions.sort((a, b) => b.slowdownPct - a.slowdownPct),
    improvements: improvements.sort((a, b) => a.slowdownPct - b.slowdownPct),
    context,
    unchanged,
    onlyInBase: base.results.filter((r) => !headIds.has(r.id)).map((r) => r.id),
    onlyInHead: head.results.filter((r) => !baseById.has(r.id)).map((r) => r.id),
    envDiffs,
  };
}

function fmtChange(c: Change): string {
  const ms = (r: BenchRow) => `${r.meanMs < 1 ? (r.meanMs * 1e3).toFixed(1) + " µs" : r.meanMs.toFixed(2) + " ms"}`;
  const sign = c.slowdownPct >= 0 ? "+" : "";
  return `  ${c.id.padEnd(58)} ${ms(c.base).padStart(11)} → ${ms(c.head).padStart(11)}  ${sign}${c.slowdownPct.toFixed(1)}% time (noise ±${c.noisePct.toFixed(1)}%)`;
}

export function formatComparison(c: Comparison, baseLabel: string, headLabel: string): string {
  const out = [`bench:compare ${baseLabel} → ${headLabel} (threshold ${c.thresholdPct}% and above the combined rme)`];
  if (c.envDiffs.length > 0) out.push(`warning: environments differ (${c.envDiffs.join("; ")})`);
  out.push(
    `${c.regressions.length} regression(s), ${c.improvements.length} improvement(s), ${c.unchanged} within threshold or noise`,
  );
  if (c.regressions.length > 0) out.push("regressions:", ...c.regressions.map(fmtChange));
  if (c.improvements.length > 0) out.push("improvements:", ...c.improvements.map(fmtChange));
  if (c.context.length > 0)
    out.push("moved, not ours (roofline = the machine; peers = TF.js):", ...c.context.map(fmtChange));
  if (c.onlyInBase.length > 0) out.push(`only in base (${c.onlyInBase.length}): ${c.onlyInBase.join(", ")}`);
  if (c.onlyInHead.length > 0) out.push(`only in head (${c.onlyInHead.length}): ${c.onlyInHead.join(", ")}`);
  return out.join("\n");
}
