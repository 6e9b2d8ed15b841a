/**
 * The `npm start` rows of a backend with a derived promise (WebGPU): one row per check group with
 * the largest observed distance from the spec and the interval width, then a per-kernel table
 * (largest distance, widest and median interval, elements inside / outside the promise / flushed).
 */
import type { AnyBackend } from "../backends/contract.js";
import { type BoundedOptions, runBoundedConformance } from "../conformance/bounded.js";
import { type Tally, addTally, emptyTally, medianWidth } from "../conformance/intervals/verdict.js";
import { formatIntervalFailure } from "../conformance/intervals/verdict.js";

function adapterOf(b: AnyBackend): Promise<string | undefined> {
  // Only the WebGPU backend knows its adapter; imported lazily so other backends load nothing.
  return b.name.startsWith("webgpu")
    ? import("../backends/webgpu/index.js").then(async (m) => (await m.webgpuAdapter()).adapter)
    : Promise.resolve(undefined);
}

export async function boundedRows(
  backend: AnyBackend,
  options: BoundedOptions,
): Promise<{ rows: string[][]; ok: boolean; notes: string[] }> {
  const report = await runBoundedConformance(backend, options);
  const rows: string[][] = [];
  const groups = new Map<string, { n: number; failed: number; ms: number; tally: Tally }>();
  const kernels = new Map<string, Tally>();
  for (const c of report.checks) {
    const g = groups.get(c.group) ?? { n: 0, failed: 0, ms: 0, tally: emptyTally() };
    g.n++;
    if (c.status === "failed") g.failed++;
    g.ms += c.ms;
    addTally(g.tally, c.tally);
    groups.set(c.group, g);
    const k = kernels.get(c.kernel) ?? emptyTally();
    addTally(k, c.tally);
    kernels.set(c.kernel, k);
  }
  for (const [name, g] of groups) {
    const result = g.failed > 0 ? `FAILED ${g.failed}/${g.n}` : `passed ${g.n}/${g.n} within derived intervals`;
    rows.push([
      backend.name,
      name,
      String(g.n),
      result,
      `${g.tally.maxDistance} (width ≤${g.tally.maxWidth}, median ${medianWidth(g.tally)})`,
      `${(g.ms / 1000).toFixed(1)} s`,
    ]);
  }
  const adapter = await adapterOf(backend);
  const notes = [
    `${backend.name}${adapter ? ` on ${adapter}` : ""}: ${report.ok ? "conforms within derived intervals" : "DOES NOT CONFORM"} (seed ${report.seed}; per kernel: largest distance from the spec in float32 ULPs where no subnormal is involved, and where one may flush / interval width max, median / elements inside, outside the promise, with a subnormal involved)`,
  ];
  for (const [k, t] of kernels) {
    notes.push(
      `  ${k.padEnd(22)} distance ${String(t.maxDistance).padStart(4)} (${String(t.maxDistanceFlushed).padStart(10)} with flushing)  width ${String(t.maxWidth).padStart(10)}, median ${medianWidth(t)}  inside ${t.inside}, outside promise ${t.outsidePromise}, subnormal ${t.flushed}`,
    );
  }
  for (const c of report.checks) {
    for (const f of c.failures)
      notes.push(`✗ ${backend.name} ${c.check}: ${formatIntervalFailure(f)} (seed ${c.seed})`);
    if (c.error !== undefined) notes.push(`✗ ${backend.name} ${c.check}: ${c.error} (seed ${c.seed})`);
  }
  return { rows, ok: report.ok, notes };
}
