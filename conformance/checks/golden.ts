/** The golden files, replayed through a backend (cases it cannot compute run through the spec). */
import { existsSync } from "node:fs";
import type { AnyBackend } from "../../backends/contract.js";
import { updateOn } from "../../backends/engine.js";
import { replayDirectory } from "../golden/replay.js";
import type { Check } from "./types.js";

export function goldenCheck(dir: string): Check {
  return {
    id: "golden",
    group: "golden",
    kernel: "all",
    clauses: ["errors.chainer-compat", "update.sequence"],
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
