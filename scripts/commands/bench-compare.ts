/**
 * `optspec bench-compare base.json head.json [more-head.json …]` (`npm run bench:compare`): lists
 * every kernel of ours whose slowdown exceeds both the threshold (percent) and the measured noise;
 * exit 1 when there is one. Several head files are merged first, so their spread counts as noise.
 */
import { readFileSync } from "node:fs";
import type { BenchReport } from "../../bench/result.js";
import { str } from "../cli/args.js";
import { type Command, EXIT, UsageError } from "../cli/command.js";

function load(path: string): BenchReport {
  let r: BenchReport;
  try {
    r = JSON.parse(readFileSync(path, "utf8")) as BenchReport;
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (r.schema !== "optspec-bench/1" || !Array.isArray(r.results))
    throw new UsageError(`${path} is not an optspec bench result (schema optspec-bench/1)`);
  return r;
}

export const benchCompareCommand: Command = {
  name: "bench-compare",
  summary: "regression report between two bench runs (exit 1 on a regression beyond threshold and noise)",
  positionals: "base.json head.json [more-head.json…]",
  options: {
    threshold: { type: "string", value: "PERCENT", help: "slowdown that counts as a regression (default 10)" },
  },
  async run(v, files) {
    const t = str(v, "threshold");
    const threshold = t === undefined ? 10 : Number(t);
    if (!(threshold >= 0)) throw new UsageError("--threshold needs a non-negative number (percent)");
    if (files.length < 2) throw new UsageError("expected a base file and at least one head file");
    const { compareRuns, formatComparison } = await import("../../bench/compare.js");
    const { mergeRuns } = await import("../../bench/merge.js");
    const [basePath, ...headPaths] = files as [string, ...string[]];
    const c = compareRuns(load(basePath), mergeRuns(headPaths.map(load)), threshold);
    console.log(
      formatComparison(
        c,
        basePath,
        headPaths.length === 1 ? (headPaths[0] as string) : `${headPaths.length} merged runs`,
      ),
    );
    return c.regressions.length > 0 ? EXIT.failed : EXIT.ok;
  },
};
