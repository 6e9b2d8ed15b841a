/** The golden files, replayed through a backend (cases it cannot compute run through the spec). */
import { existsSync } from "node:fs";
import type { AnyBackend } from "../../backends/contract.js";
import { updateOn } from "../../backends/engine.js";
import { replayDirectory } from "../golden/replay.js";
import { goldenCaseClauses } from "../golden/case-clauses.js";
import type { Check } from "./types.js";

/** The clauses the cases of a golden directory exercise (each case's own list, merged). */
function clausesExercised(dir: string): string[] {
  return [...new Set(goldenCaseClauses(dir).flatMap((c) => c.clauses))].sort();
}

export function goldenCheck(dir: string): Check {
  let clauses: string[] | null = null;
  return {
    id: "golden",
    group: "golden",
    kernel: "all",
    get clauses() {
      clauses ??= clausesExercised(dir);
      return clauses;
    },
    applies: () => (existsSync(dir) ? null : `no golden directory at ${dir}`),
    direct: (ctx) => {
      const engine = { name: ctx.backend.name, update: updateOn(ctx.backend as AnyBackend) };
      const results = replayDirectory(dir, engine);
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
