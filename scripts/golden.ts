/**
 * `npm run golden -- [dir] [--verbose] [--filter substring]`: replay every golden case through the
 * spec. Prints one line per failing case difference, then exactly one summary line
 * `golden: N passed, M failed, K unsupported`; exits 1 when M > 0.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatFailure, replayDirectory, summarize } from "../conformance/golden/index.js";

const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const fi = args.indexOf("--filter");
const filterText = fi >= 0 ? args[fi + 1] : undefined;
const positional = args.filter((a, i) => !a.startsWith("--") && (fi < 0 || i !== fi + 1));
const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const dir = resolve(positional[0] ?? process.env["OPTSPEC_GOLDEN_DIR"] ?? resolve(repoRoot, "..", "shared", "golden"));

const results = replayDirectory(dir, undefined, filterText ? (id) => id.includes(filterText) : undefined);
for (const r of results) {
  if (r.status === "failed") {
    const shown = verbose ? r.failures : r.failures.slice(0, 1);
    for (const f of shown) console.log(formatFailure(r, f));
    if (!verbose && r.failures.length > 1) console.log(`     (${r.failures.length - 1} more differences in ${r.id}; --verbose shows all)`);
  } else if (r.status === "unsupported" && verbose) {
    console.log(`UNSUPPORTED ${r.id}: ${r.reason}`);
  }
}
const unsupportedReasons = new Map<string, number>();
for (const r of results) if (r.status === "unsupported") unsupportedReasons.set(r.reason ?? "", (unsupportedReasons.get(r.reason ?? "") ?? 0) + 1);
for (const [reason, n] of unsupportedReasons) console.log(`unsupported (${n}): ${reason}`);
const s = summarize(results);
console.log(`golden: ${s.passed} passed, ${s.failed} failed, ${s.unsupported} unsupported`);
process.exitCode = s.failed > 0 ? 1 : 0;
