/**
 * `npm start`: the conformance suite over every backend registered on this machine, with a default
 * budget, printed as a table (backend × group: passed or failed, largest ULP distance, time).
 * Options: --runs N (default 25), --seed N, --json report.json.
 */
import { writeFileSync } from "node:fs";
import "../backends/index.js";
import { listBackends } from "../backends/registry.js";
import { formatFailures, runConformance, type ConformanceReport } from "../conformance/index.js";
import { boundedRows } from "./bounded-report.js";
import { existsSync } from "node:fs";
import { goldenDirOf } from "../conformance/run.js";

const args = process.argv.slice(2);
const get = (k: string): string | undefined => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const numRuns = Number(get("runs") ?? 25);
const seed = get("seed") === undefined ? undefined : Number(get("seed"));

const reports: ConformanceReport[] = [];
const boundedOk: boolean[] = [];
const notes: string[] = [];
const rows: string[][] = [["backend", "group", "checks", "result", "max ulp", "time"]];
for (const backend of listBackends()) {
  const avail = await backend.available?.();
  if (avail && !avail.ok) {
    rows.push([backend.name, "(all)", "0", `unavailable: ${avail.reason ?? "?"}`, "-", "-"]);
    continue;
  }
  if (backend.promise.kind === "derived") {
    // Judged against intervals derived from its per-operation accuracy (asynchronous).
    const b = await boundedRows(backend, { numRuns: Math.min(numRuns, 10), goldenDir: [goldenDirOf(undefined)].find((d) => d !== null && existsSync(d)) ?? null, ...(seed !== undefined ? { seed } : {}) });
    rows.push(...b.rows);
    boundedOk.push(b.ok);
    notes.push(...b.notes);
    continue;
  }
  const report = await runConformance(backend, { numRuns, ...(seed !== undefined ? { seed } : {}) });
  reports.push(report);
  const groups = new Map<string, { n: number; failed: number; expected: number; na: number; ulp: number; ms: number }>();
  for (const c of report.checks) {
    const g = groups.get(c.group) ?? { n: 0, failed: 0, expected: 0, na: 0, ulp: 0, ms: 0 };
    if (c.status === "not-applicable") g.na++;
    else {
      g.n++;
      if (c.status === "failed" || c.status === "unexpected-pass") g.failed++;
      if (c.status === "expected-failure") g.expected++;
    }
    g.ulp = Math.max(g.ulp, c.maxUlp);
    g.ms += c.ms;
    groups.set(c.group, g);
  }
  for (const [name, g] of groups) {
    const result = g.failed > 0 ? `FAILED ${g.failed}/${g.n}` : g.expected > 0 ? `passed (${g.expected} expected failures)` : `passed ${g.n}/${g.n}`;
    rows.push([backend.name, name, `${g.n}${g.na ? ` (+${g.na} n/a)` : ""}`, result, String(g.ulp), `${(g.ms / 1000).toFixed(1)} s`]);
  }
  for (const c of report.checks) for (const line of formatFailures(c)) console.log(line);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
for (const [k, r] of rows.entries()) {
  console.log(r.map((cell, i) => cell.padEnd(widths[i] as number)).join("  "));
  if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
for (const r of reports) {
  console.log(`${r.backend}: ${r.ok ? "conforms" : "DOES NOT CONFORM"} (seed ${r.seed}, ${r.numRuns} runs per property; ${Object.keys(r.clauses).length} clauses checked, ${r.unchecked.length} not checked by this battery)`);
}
for (const n of notes) console.log(n);
const out = get("json");
if (out) writeFileSync(out, JSON.stringify(reports, null, 2));
process.exitCode = reports.every((r) => r.ok) && boundedOk.every((ok) => ok) ? 0 : 1;
