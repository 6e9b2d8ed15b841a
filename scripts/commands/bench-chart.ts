/** `optspec bench-chart run.json [out.svg]`: redraw a chart from a saved run (default: next to it, as .svg). */
import { readFileSync, writeFileSync } from "node:fs";
import type { BenchReport } from "../../bench/result.js";
import { type Command, EXIT, UsageError } from "../cli/command.js";

export const benchChartCommand: Command = {
  name: "bench-chart",
  summary: "redraw the SVG chart of a saved bench run",
  positionals: "run.json [out.svg]",
  options: {},
  async run(_v, [input, output]) {
    if (input === undefined) throw new UsageError("expected a bench result file (run.json)");
    const out = output ?? `${input.replace(/\.json$/i, "")}.svg`;
    let report: BenchReport;
    try {
      report = JSON.parse(readFileSync(input, "utf8")) as BenchReport;
    } catch (e) {
      throw new UsageError(`cannot read ${input}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const { renderChart } = await import("../../bench/chart.js");
    writeFileSync(out, renderChart(report));
    console.log(`wrote ${out}`);
    return EXIT.ok;
  },
};
