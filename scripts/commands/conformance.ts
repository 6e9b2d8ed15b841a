/** `optspec conformance --backend <module.js|name>`: the whole kit on one backend, written anywhere. */
import { readFileSync, writeFileSync } from "node:fs";
import { formatFailures, parseExpectations, runConformance, type CheckResult } from "../../conformance/index.js";
import { closingLines, LEGEND } from "../../conformance/summary.js";
import { flag, int, str } from "../cli/args.js";
import { type Command, EXIT, UsageError } from "../cli/command.js";
import { GOLDEN_OPTIONS, goldenDirs } from "../cli/golden-dirs.js";
import { loadBackend } from "../cli/load-backend.js";
import { boundedRows } from "../bounded-report.js";

function mark(r: CheckResult): string {
  return r.status === "passed"
    ? "✓"
    : r.status === "not-applicable"
      ? "·"
      : r.status === "expected-failure"
        ? "~"
        : "✗";
}

function readExpectations(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--expectations: cannot read ${file} (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    return parseExpectations(text, file);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export const conformanceCommand: Command = {
  name: "conformance",
  summary: "check one backend (a module path or a registered name) against the spec: kernels, trajectories, golden",
  options: {
    backend: {
      type: "string",
      short: "b",
      value: "MODULE|NAME",
      help: "module exporting a Backend (default or `backend` export), or a registered name",
    },
    runs: { type: "string", value: "N", help: "runs per property (default 100)" },
    seed: { type: "string", value: "N", help: "fast-check seed (default: from the clock; printed)" },
    path: { type: "string", value: "P", help: "replay a shrunk counterexample (with its --seed and --filter)" },
    "replay-path": {
      type: "string",
      value: "R",
      help: "fast-check replay path of a failing command sequence (printed in trajectory counterexamples)",
    },
    case: { type: "string", value: "ID", help: "replay only this golden case (by id)" },
    filter: { type: "string", value: "TEXT", help: "keep checks whose id, kernel or clause contains TEXT" },
    expectations: {
      type: "string",
      value: "FILE",
      help: "known failures (JSON); an entry that no longer fails fails the run",
    },
    json: { type: "string", value: "FILE", help: "write the full report as JSON (includes the unchecked clauses)" },
    ...GOLDEN_OPTIONS,
  },
  details: [
    "Each line is one check: ✓ passed, ✗ failed, ~ expected failure, · n/a (does not apply to this backend).",
    ...LEGEND,
    "List the clauses a run did not check with --json (field `unchecked`).",
  ].join("\n"),
  async run(v) {
    const seed = int(v, "seed");
    const numRuns = int(v, "runs");
    const ref = str(v, "backend");
    if (ref === undefined)
      throw new UsageError("--backend is required (a module path such as ./my-backend.js, or a registered name)");
    const path = str(v, "path");
    const filter = str(v, "filter");
    const expFile = str(v, "expectations");
    const expectations = expFile === undefined ? undefined : readExpectations(expFile);
    const replayPath = str(v, "replay-path");
    const goldenCase = str(v, "case");
    const golden = goldenDirs(v);
    const backend = await loadBackend(ref);
    if (backend.promise.kind === "derived") {
      // Per-operation accuracy: judged against intervals derived from the spec (asynchronous).
      const avail = await backend.available?.();
      if (avail !== undefined && !avail.ok) {
        console.log(`✗ ${backend.name} is unavailable: ${avail.reason ?? "no reason given"}`);
        return EXIT.failed;
      }
      const first = golden[0];
      const b = await boundedRows(backend, {
        ...(seed !== undefined ? { seed } : {}),
        ...(numRuns !== undefined ? { numRuns } : {}),
        ...(filter !== undefined ? { filter } : {}),
        goldenDir: typeof first === "string" ? first : null,
      });
      for (const r of b.rows) console.log(r.join("  "));
      for (const n of b.notes) console.log(n);
      return b.ok ? EXIT.ok : EXIT.failed;
    }
    const report = await runConformance(backend, {
      ...(seed !== undefined ? { seed } : {}),
      ...(numRuns !== undefined ? { numRuns } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(replayPath !== undefined ? { replayPath } : {}),
      ...(goldenCase !== undefined ? { goldenCase } : {}),
      ...(filter !== undefined ? { filter } : {}),
      ...(expectations ? { expectations } : {}),
      goldenDirs: golden,
      backendRef: ref,
      onCheck: (r) => {
        const what = r.group === "golden" ? `${r.runs} cases` : `${r.runs} runs`;
        console.log(
          `${mark(r)} ${r.check} ${r.status}${r.reason ? ` (${r.reason})` : ""}${r.runs ? ` — ${what}, max ${r.maxUlp} ulp, ${r.ms.toFixed(0)} ms` : ""}`,
        );
        for (const line of formatFailures(r)) console.log(line);
      },
    });
    if (report.checks.length === 0)
      throw new UsageError(
        `--filter ${JSON.stringify(filter)} matches no check (ids look like kernel/Adam/float32, hook/WeightDecay/float64, reduction/sumSquares+allFinite/float32, trajectory/SGD/float32, golden; a kernel name or a clause id also matches)`,
      );
    for (const e of report.stale) console.log(`✗ expectation passed unexpectedly (stale): ${JSON.stringify(e)}`);
    const json = str(v, "json");
    if (json) writeFileSync(json, JSON.stringify(report, null, 2));
    for (const line of closingLines(
      report,
      json
        ? `listed under "unchecked" in ${json}`
        : 'list them with --json FILE, field "unchecked"; optspec clause <id> explains one',
    ))
      console.log(line);
    if (flag(v, "no-golden") === false && golden.length === 0) console.log("note: no golden directory replayed");
    return report.ok ? EXIT.ok : EXIT.failed;
  },
};
