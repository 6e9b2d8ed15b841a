/**
 * `npm run bench -- [--quick | --smoke] [--json out.json] [--chart bench/chart.svg] …`
 * Times every optimizer and hook kernel on every registered backend against the Wasm triad
 * roofline and TensorFlow.js; see bench/README.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { renderChart } from "../bench/chart.js";
import { parseArgs } from "../bench/options.js";
import { formatTable } from "../bench/report.js";
import { runBench } from "../bench/run.js";

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const argv = process.argv.slice(2);
let options;
try {
  options = parseArgs(argv);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
console.log(`optspec bench, ${options.mode} mode (node ${process.version})`);
const report = await runBench(options, argv, (line) => console.log(line));
console.log(`\n${formatTable(report)}\n`);
if (options.json !== null) {
  write(options.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${options.json}`);
}
if (options.chart !== null) {
  write(options.chart, renderChart(report));
  console.log(`wrote ${options.chart}`);
}
console.log(`done in ${report.wallSeconds.toFixed(1)} s`);
