/**
 * `optspec bench` (`npm run bench`): times every optimizer and hook kernel on every registered
 * backend against the Wasm triad roofline and TensorFlow.js; see bench/README.md. With `--runs N`
 * the selection runs in N child processes, one after another, and their results are merged.
 * The bench modules load lazily: they need the dev dependencies (benchmark, TensorFlow.js).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type BenchOptions, OPTIONS, parseArgs } from "../../bench/options.js";
import type { BenchReport } from "../../bench/result.js";
import { HOOKS } from "../../bench/workload.js";
import { OPTIMIZERS } from "../../spec/index.js";
import { type Command, EXIT, UsageError } from "../cli/command.js";
import { knownBackendNames } from "../cli/load-backend.js";
import { selfArgv } from "../cli/self.js";

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** argv without the options that the parent handles itself. */
function childArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--runs" || a === "--json" || a === "--chart") i++;
    else if (!a.startsWith("--runs=") && !a.startsWith("--json=") && !a.startsWith("--chart=") && a !== "--no-chart")
      out.push(a);
  }
  return out;
}

async function runChildren(o: BenchOptions, argv: readonly string[]): Promise<BenchReport> {
  const { mergeRuns } = await import("../../bench/merge.js");
  const dir = mkdtempSync(join(tmpdir(), "optspec-bench-runs-"));
  const self = selfArgv();
  try {
    const reports: BenchReport[] = [];
    for (let i = 1; i <= o.runs; i++) {
      console.log(`— run ${i} of ${o.runs} (separate process)`);
      const out = join(dir, `run${i}.json`);
      const r = spawnSync(self.command, [...self.args, "bench", ...childArgs(argv), "--json", out, "--no-chart"], {
        stdio: "inherit",
      });
      if (r.status !== 0) throw new Error(`run ${i} failed (exit ${r.status ?? r.signal})`);
      reports.push(JSON.parse(readFileSync(out, "utf8")) as BenchReport);
    }
    return { ...mergeRuns(reports), argv };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchCommand: Command = {
  name: "bench",
  summary: "benchmark every kernel on every backend against the roofline and TensorFlow.js",
  options: OPTIONS,
  details:
    "Modes: full (default), --quick, --smoke. The committed bench/chart.svg is only rewritten when --chart names it.",
  async run(_v, _p, argv) {
    let options: BenchOptions;
    try {
      options = parseArgs(argv);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    const unknown = (what: string, given: readonly string[] | null, known: readonly string[]): void => {
      const bad = (given ?? []).filter((x) => !known.includes(x));
      if (bad.length)
        throw new UsageError(
          `--${what}: unknown ${bad.map((b) => JSON.stringify(b)).join(", ")}; known: ${known.join(", ")}`,
        );
    };
    unknown("backends", options.backends, knownBackendNames());
    unknown("kernels", options.kernels, [...Object.keys(OPTIMIZERS), ...HOOKS.map((h) => h.kind.kind)]);
    let runBench: typeof import("../../bench/run.js").runBench;
    try {
      ({ runBench } = await import("../../bench/run.js"));
    } catch (e) {
      // An installed package has no dev dependencies: the bench is a tool of the repository.
      throw new UsageError(
        `the bench needs optspec's dev dependencies (benchmark, TensorFlow.js): run it in a clone after npm ci (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
      );
    }
    const { formatTable } = await import("../../bench/report.js");
    const { renderChart } = await import("../../bench/chart.js");
    console.log(`optspec bench, ${options.mode} mode (node ${process.version})`);
    const report =
      options.runs > 1 ? await runChildren(options, argv) : await runBench(options, argv, (line) => console.log(line));
    console.log(
      `\n${options.runs > 1 ? `merged ${options.runs} runs (median ops/s; ±rme includes the run-to-run spread)\n` : ""}${formatTable(report)}\n`,
    );
    if (options.json !== null) {
      write(options.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`wrote ${options.json}`);
    }
    if (options.chart !== null) {
      write(options.chart, renderChart(report));
      console.log(`wrote ${options.chart}`);
    } else if (options.json === null) console.log("no chart written (give --json FILE or --chart FILE.svg)");
    console.log(`done in ${report.wallSeconds.toFixed(1)} s`);
    return EXIT.ok;
  },
};
