/**
 * `npm run bench:compare -- base.json head.json [more-head.json …] [--threshold 10]`: lists every
 * kernel of ours whose slowdown exceeds both the threshold (percent) and the measured noise; exits 1
 * when there is one, 2 on bad usage. Several head files are merged first (bench/merge.ts), so their
 * run-to-run spread counts as noise. See bench/compare.ts and bench/README.md.
 */
import { readFileSync } from "node:fs";
import { compareRuns, formatComparison } from "../bench/compare.js";
import { mergeRuns } from "../bench/merge.js";
import type { BenchReport } from "../bench/result.js";

const USAGE = "usage: npm run bench:compare -- base.json head.json [more-head.json ...] [--threshold PERCENT]";

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

function load(path: string): BenchReport {
  let r: BenchReport;
  try {
    r = JSON.parse(readFileSync(path, "utf8")) as BenchReport;
  } catch (e) {
    fail(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (r.schema !== "optspec-bench/1" || !Array.isArray(r.results)) fail(`${path} is not an optspec bench result (schema optspec-bench/1)`);
  return r;
}

const files: string[] = [];
let threshold = 10;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === "--threshold") {
    threshold = Number(args[++i]);
    if (!(threshold >= 0)) fail("--threshold needs a non-negative number (percent)");
  } else if (a.startsWith("--")) fail(`unknown option ${a}`);
  else files.push(a);
}
if (files.length < 2) fail("expected a base file and at least one head file");
const [basePath, ...headPaths] = files as [string, ...string[]];
const c = compareRuns(load(basePath), mergeRuns(headPaths.map(load)), threshold);
console.log(formatComparison(c, basePath, headPaths.length === 1 ? (headPaths[0] as string) : `${headPaths.length} merged runs`));
process.exit(c.regressions.length > 0 ? 1 : 0);
