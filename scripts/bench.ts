/**
 * `npm run bench -- [--quick | --smoke] [--json out.json] [--chart bench/chart.svg] [--runs N] …`
 * Times every optimizer and hook kernel on every registered backend against the Wasm triad
 * roofline and TensorFlow.js; see bench/README.md. With `--runs N` the selection runs in N child
 * processes, one after another, and their results are merged (bench/merge.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderChart } from "../bench/chart.js";
import { mergeRuns } from "../bench/merge.js";
import { type BenchOptions, parseArgs } from "../bench/options.js";
import { formatTable } from "../bench/report.js";
import type { BenchReport } from "../bench/result.js";
import { runBench } from "../bench/run.js";

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
    else if (a !== "--no-chart") out.push(a);
  }
  return out;
}

function runChildren(o: BenchOptions, argv: readonly string[]): BenchReport {
  const dir = mkdtempSync(join(tmpdir(), "optspec-bench-runs-"));
  const script = fileURLToPath(import.meta.url);
  try {
    const reports: BenchReport[] = [];
    for (let i = 1; i <= o.runs; i++) {
      console.log(`— run ${i} of ${o.runs} (separate process)`);
      const out = join(dir, `run${i}.json`);
      const r = spawnSync(process.execPath, [...process.execArgv, script, ...childArgs(argv), "--json", out, "--no-chart"], { stdio: "inherit" });
      if (r.status !== 0) throw new Error(`run ${i} failed (exit ${r.status ?? r.signal})`);
      reports.push(JSON.parse(readFileSync(out, "utf8")) as BenchReport);
    }
    return { ...mergeRuns(reports), argv };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
let options: BenchOptions;
try {
  options = parseArgs(argv);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
console.log(`optspec bench, ${options.mode} mode (node ${process.version})`);
const report = options.runs > 1 ? runChildren(options, argv) : await runBench(options, argv, (line) => console.log(line));
console.log(`\n${options.runs > 1 ? `merged ${options.runs} runs (median ops/s; ±rme includes the run-to-run spread)\n` : ""}${formatTable(report)}\n`);
if (options.json !== null) {
  write(options.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${options.json}`);
}
if (options.chart !== null) {
  write(options.chart, renderChart(report));
  console.log(`wrote ${options.chart}`);
}
console.log(`done in ${report.wallSeconds.toFixed(1)} s`);
