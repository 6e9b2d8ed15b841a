/**
 * `optspec golden [dir…]` (`npm run golden`): replay every case of golden directories (default:
 * the bundled real-Chainer data) through the spec. One line per failing case difference, then
 * exactly one summary line `golden: N passed, M failed, K unsupported` (cases).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { bundledGoldenDir } from "../../conformance/golden/bundled-dir.js";
import { formatFailure, replayDirectory, summarize, type CaseResult } from "../../conformance/golden/index.js";
import { flag, str } from "../cli/args.js";
import { type Command, EXIT, UsageError } from "../cli/command.js";

export const goldenCommand: Command = {
  name: "golden",
  summary: "replay golden directories (default: the bundled real-Chainer data) through the spec",
  positionals: "[dir…]",
  options: {
    verbose: { type: "boolean", short: "v", help: "print every difference and every unsupported case" },
    filter: { type: "string", value: "TEXT", help: "only cases whose id contains TEXT" },
  },
  details: "The last line counts cases: golden: N passed, M failed, K unsupported.",
  async run(v, positionals) {
    const dirs = positionals.length ? positionals.map((d) => resolve(d)) : [bundledGoldenDir()];
    for (const d of dirs) if (!existsSync(d)) throw new UsageError(`no golden directory at ${d}`);
    const verbose = flag(v, "verbose");
    const filterText = str(v, "filter");
    const results: CaseResult[] = dirs.flatMap((d) =>
      replayDirectory(d, undefined, filterText ? (id) => id.includes(filterText) : undefined),
    );
    for (const r of results) {
      if (r.status === "failed") {
        const shown = verbose ? r.failures : r.failures.slice(0, 1);
        for (const f of shown) console.log(formatFailure(r, f));
        if (!verbose && r.failures.length > 1)
          console.log(`     (${r.failures.length - 1} more differences in ${r.id}; --verbose shows all)`);
      } else if (r.status === "unsupported" && verbose) {
        console.log(`UNSUPPORTED ${r.id}: ${r.reason}`);
      }
    }
    const unsupportedReasons = new Map<string, number>();
    for (const r of results)
      if (r.status === "unsupported")
        unsupportedReasons.set(r.reason ?? "", (unsupportedReasons.get(r.reason ?? "") ?? 0) + 1);
    for (const [reason, n] of unsupportedReasons) console.log(`unsupported (${n}): ${reason}`);
    const s = summarize(results);
    console.log(`golden: ${s.passed} passed, ${s.failed} failed, ${s.unsupported} unsupported`);
    return s.failed > 0 ? EXIT.failed : EXIT.ok;
  },
};
