/**
 * Redraw a chart from a saved run: `node --import tsx/esm scripts/bench-chart.ts run.json [out.svg]`
 * (default out: bench/chart.svg).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { renderChart } from "../bench/chart.js";
import type { BenchReport } from "../bench/result.js";

const [input, output = "bench/chart.svg"] = process.argv.slice(2);
if (input === undefined) {
  console.error("usage: node --import tsx/esm scripts/bench-chart.ts run.json [out.svg]");
  process.exit(2);
}
const report = JSON.parse(readFileSync(input, "utf8")) as BenchReport;
writeFileSync(output, renderChart(report));
console.log(`wrote ${output}`);
