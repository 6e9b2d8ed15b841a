/**
 * `optspec report` (`npm start`): the conformance suite over every backend registered on this
 * machine, with a default budget, printed as a table (backend × group) with a legend.
 */
import { writeFileSync } from "node:fs";
import { formatFailures, runConformance, type ConformanceReport } from "../../conformance/index.js";
import { closingLines, groupChecks, groupResult, groupSummaries, LEGEND } from "../../conformance/summary.js";
import { int, str, strs } from "../cli/args.js";
import { type Command, EXIT } from "../cli/command.js";
import { GOLDEN_OPTIONS, goldenDirs } from "../cli/golden-dirs.js";
import { knownBackendNames, registeredBackend } from "../cli/load-backend.js";
import { boundedRows } from "../bounded-report.js";

export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const out: string[] = [];
  for (const [k, r] of rows.entries()) {
    out.push(
      r
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd(),
    );
    if (k === 0) out.push(widths.map((w) => "-".repeat(w)).join("  "));
  }
  return out;
}

export const reportCommand: Command = {
  name: "report",
  summary: "conformance table across every backend registered on this machine (what `npm start` runs)",
  options: {
    runs: { type: "string", value: "N", help: "runs per property (default 25)" },
    seed: { type: "string", value: "N", help: "fast-check seed (default: from the clock; printed)" },
    backend: { type: "string", short: "b", multiple: true, value: "NAME", help: "only this registered backend" },
    json: { type: "string", value: "FILE", help: "write every backend's full report as a JSON array" },
    ...GOLDEN_OPTIONS,
  },
  details: "To check a backend module of your own: optspec conformance --backend ./my-backend.js",
  async run(v) {
    const numRuns = int(v, "runs") ?? 25;
    const seed = int(v, "seed");
    const golden = goldenDirs(v);
    const only = strs(v, "backend");
    const backends = only.length ? only.map(registeredBackend) : knownBackendNames().map(registeredBackend);
    const reports: ConformanceReport[] = [];
    const boundedOk: boolean[] = [];
    const notes: string[] = [];
    const rows: string[][] = [["backend", "group", "checks", "result", "max ulp", "time"]];
    for (const backend of backends) {
      const avail = await backend.available?.();
      if (avail && !avail.ok) {
        rows.push([backend.name, "(all)", "0", `unavailable: ${avail.reason ?? "no reason given"}`, "-", "-"]);
        continue;
      }
      if (backend.promise.kind === "derived") {
        // Judged against intervals derived from its per-operation accuracy (asynchronous).
        const first = golden[0];
        const b = await boundedRows(backend, {
          numRuns: Math.min(numRuns, 10),
          goldenDir: typeof first === "string" ? first : null,
          ...(seed !== undefined ? { seed } : {}),
        });
        rows.push(...b.rows);
        boundedOk.push(b.ok);
        notes.push(...b.notes);
        continue;
      }
      const report = await runConformance(backend, {
        numRuns,
        goldenDirs: golden,
        ...(seed !== undefined ? { seed } : {}),
      });
      reports.push(report);
      for (const g of groupSummaries(report))
        rows.push([
          backend.name,
          g.group,
          groupChecks(g),
          groupResult(g),
          String(g.maxUlp),
          `${(g.ms / 1000).toFixed(1)} s`,
        ]);
      for (const c of report.checks) for (const line of formatFailures(c)) console.log(line);
    }
    for (const line of formatTable(rows)) console.log(line);
    console.log("");
    for (const line of LEGEND) console.log(line);
    console.log("");
    const json = str(v, "json");
    for (const r of reports)
      for (const line of closingLines(
        r,
        json
          ? `listed under "unchecked" in ${json}`
          : 'list them with --json FILE, field "unchecked"; optspec clause <id> explains one',
      ))
        console.log(line);
    for (const n of notes) console.log(n);
    if (golden.length === 0) console.log("golden replay skipped (--no-golden or no directory given)");
    if (json) writeFileSync(json, JSON.stringify(reports, null, 2));
    return reports.every((r) => r.ok) && boundedOk.every((ok) => ok) ? EXIT.ok : EXIT.failed;
  },
};
