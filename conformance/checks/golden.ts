/** The golden files, replayed through a backend (cases it cannot compute run through the spec). */
import { existsSync } from "node:fs";
import type { AnyBackend } from "../../backends/contract.js";
import { updateOn } from "../../backends/engine.js";
import { replaySource } from "../golden/replay.js";
// Registers the serialization case kind: without it those cases count as unsupported, silently.
import "../golden/replay-serialization.js";
import { sourceCaseClauses } from "../golden/case-clauses.js";
import { type GoldenSource, readGoldenDir } from "../golden/source.js";
import type { Check } from "./types.js";

/** The clauses the cases of a golden source exercise (each case's own list, merged). */
function clausesExercised(src: GoldenSource): string[] {
  return [...new Set(sourceCaseClauses(src).flatMap((c) => c.clauses))].sort();
}

/** The golden check over a directory on disk (Node) or a source already in memory (the browser). */
export function goldenCheck(dir: string | GoldenSource, id = "golden"): Check {
  let clauses: string[] | null = null;
  let source: GoldenSource | null = typeof dir === "string" ? null : dir;
  const src = (): GoldenSource => (source ??= readGoldenDir(dir as string));
  return {
    id,
    group: "golden",
    kernel: "all",
    get clauses() {
      clauses ??= clausesExercised(src());
      return clauses;
    },
    applies: () => (typeof dir === "string" ? (existsSync(dir) ? null : `no golden directory at ${dir}`) : dir.files.size > 0 ? null : `no golden files from ${dir.label}`),
    direct: (ctx) => {
      const engine = { name: ctx.backend.name, update: updateOn(ctx.backend as AnyBackend) };
      const results = replaySource(src(), engine);
      const diffs = results.flatMap((r) =>
        r.failures.map((f) => ({
          what: `${f.what}: ${f.detail}`,
          clause: f.clause ?? "update.sequence",
          at: `${r.id}${f.step === undefined ? "" : ` step ${f.step}`}`,
          ...(f.expectedBits !== undefined ? { expectedBits: f.expectedBits, actualBits: f.actualBits as string, ulp: f.ulp as number } : {}),
          ...(f.index !== undefined ? { index: f.index } : {}),
        })),
      );
      return { diffs, runs: results.filter((r) => r.status !== "unsupported").length };
    },
  };
}
