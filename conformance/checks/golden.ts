/** The golden files, replayed through a backend (cases it cannot compute run through the spec). */
import { existsSync } from "node:fs";
import { BUILTIN_HOOKS, OPTIMIZERS } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import { updateOn } from "../../backends/engine.js";
import { replaySource } from "../golden/replay.js";
// Registers the serialization case kind: without it those cases count as unsupported, silently.
import "../golden/replay-serialization.js";
import { caseFiles, type GoldenSource, readGoldenDir } from "../golden/source.js";
import type { Check } from "./types.js";
import type { GoldenCase } from "../golden/format.js";

const STATE_MACHINE = [
  "errors.chainer-compat", "update.sequence", "update.lossfun", "update.zero-grad", "update.partial",
  "rule.update.t", "rule.update.order", "rule.update.lazy-state", "rule.update.unscale", "rule.update.disabled",
  "rule.update.fp32-master", "rule.enabled", "hooks.add.order", "hooks.call.order", "hooks.call.reallocate",
  "hooks.rule.call", "hyperparam.inherit", "hyperparam.override", "optimizer.setup", "optimizer.fp32-update",
  "loss-scale.static.positive", "loss-scale.dynamic.configure", "loss-scale.dynamic.check", "loss-scale.dynamic.skip",
  "loss-scale.dynamic.adjust", "numerics.dot.sequential",
];
const SERIALIZATION = [
  "serialization.chainer.key-order", "serialization.chainer.save-values", "serialization.chainer.load.order",
  "serialization.chainer.load.adopt", "serialization.chainer.load.copy", "serialization.chainer.load.disabled",
  "serialization.chainer.lossy",
];

/** The clauses the cases of a golden directory exercise: found from the optimizers, hooks and case kinds in it. */
function clausesExercised(src: GoldenSource): string[] {
  if (src.files.size === 0) return [];
  const out = new Set<string>(STATE_MACHINE);
  for (const file of caseFiles(src)) {
    const doc = JSON.parse(src.files.get(file) as string) as { cases?: readonly GoldenCase[] };
    for (const c of doc.cases ?? []) {
      const opt = (c as { optimizer?: unknown }).optimizer;
      const name = typeof opt === "string" ? opt : (opt as { class?: string } | undefined)?.class;
      const def = name === undefined ? undefined : OPTIMIZERS[name];
      if (def !== undefined) {
        out.add(def.clause);
        for (const cl of Object.values(def.stateClauses ?? {})) out.add(cl);
      }
      for (const h of (c as { hooks?: readonly { class: string }[] }).hooks ?? []) {
        const kind = (BUILTIN_HOOKS as Record<string, { clause: string } | undefined>)[h.class];
        if (kind !== undefined) out.add(kind.clause);
      }
      if (c.kind === "serialization") for (const cl of SERIALIZATION) out.add(cl);
      if (c.kind === "call_sequence") for (const cl of ["hooks.add.auto-timing", "hooks.remove", "optimizer.new-epoch"]) out.add(cl);
    }
  }
  return [...out];
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
