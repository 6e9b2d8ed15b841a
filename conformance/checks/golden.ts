/**
 * The golden files, replayed through a resident run of the backend (cases and parameters it cannot
 * compute run through the spec); awaited for an asynchronous backend.
 * A difference cites the clause of the kernel that computed the differing array, carries both
 * values and their dtype, and replays with `--filter golden --case <id>` on the same backend.
 * Clauses count as checked only for cases the backend's own kernels computed.
 */
import { existsSync } from "node:fs";
import { BUILTIN_HOOKS, OPTIMIZERS, type OptimizerDef, isDtype } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import { residentUpdate } from "../../backends/resident/update-once.js";
import { type CaseResult, replaySource, replaySourceAsync } from "../golden/replay.js";
// Registers the serialization case kind: without it those cases count as unsupported, silently.
import "../golden/replay-serialization.js";
import { caseFiles, type GoldenSource, readGoldenDir } from "../golden/source.js";
import type { Difference } from "../golden/compare.js";
import type { GoldenCase } from "../golden/format.js";
import { sourceCaseClauses } from "../golden/case-clauses.js";
import { outputClause } from "./kernel-clauses.js";
import type { Check, DirectResult } from "./types.js";

interface CaseInfo {
  readonly def?: OptimizerDef;
  readonly dtype?: string;
  readonly hooks: readonly string[];
  readonly kind: string;
  /** float16 parameters updated through float32 master copies (the kernel then computes float32). */
  readonly fp32Update: boolean;
  /** The clauses the case exercises (`golden/case-clauses.ts`). */
  readonly clauses: readonly string[];
}

function caseInfo(c: GoldenCase): Omit<CaseInfo, "clauses"> {
  const opt = (c as { optimizer?: unknown }).optimizer;
  const name = typeof opt === "string" ? opt : (opt as { class?: string } | undefined)?.class;
  const def = name === undefined ? undefined : OPTIMIZERS[name];
  const dtype = (c as { dtype?: string }).dtype;
  const hooks = ((c as { hooks?: readonly { class: string }[] }).hooks ?? []).map((h) => h.class);
  const fp32Update = (c as { use_fp32_update?: boolean }).use_fp32_update === true;
  return {
    ...(def !== undefined ? { def } : {}),
    ...(dtype !== undefined ? { dtype } : {}),
    hooks,
    kind: c.kind,
    fp32Update,
  };
}

function loadCases(src: GoldenSource): Map<string, CaseInfo> {
  const out = new Map<string, CaseInfo>();
  const clauses = new Map(sourceCaseClauses(src).map((c) => [c.id, c.clauses]));
  for (const file of caseFiles(src)) {
    const doc = JSON.parse(src.files.get(file) as string) as { cases?: readonly GoldenCase[] };
    for (const c of doc.cases ?? []) out.set(c.id, { ...caseInfo(c), clauses: clauses.get(c.id) ?? [] });
  }
  return out;
}

/** Whether the backend's own kernels computed (some of) a case: its optimizer kernel, in a dtype it computes. */
function computedBy(backend: AnyBackend | null, info: CaseInfo): boolean {
  if (backend === null) return true;
  if (info.def === undefined) return false;
  const dtypeOk =
    info.dtype === undefined ||
    (isDtype(info.dtype) && backend.dtypes.includes(info.dtype)) ||
    (info.dtype === "float16" && info.fp32Update && backend.dtypes.includes("float32"));
  return dtypeOk && backend.optimizers[info.def.kernel ?? info.def.name] !== undefined;
}

/**
 * The clauses the cases exercise (each case's own list, merged); with a backend, only the cases
 * its own kernels computed, less the clauses of hooks it has no kernel for.
 */
function clausesExercised(cases: ReadonlyMap<string, CaseInfo>, backend: AnyBackend | null, only?: string): string[] {
  const out = new Set<string>();
  for (const [id, info] of cases) {
    if ((only !== undefined && id !== only) || !computedBy(backend, info)) continue;
    const missing = new Set(
      info.hooks
        .filter((h) => backend !== null && backend.hooks[h] === undefined && h !== "GradientClipping")
        .map((h) => (BUILTIN_HOOKS as Record<string, { clause: string } | undefined>)[h]?.clause),
    );
    for (const cl of info.clauses) if (!missing.has(cl)) out.add(cl);
  }
  return [...out].sort();
}

/** The clause of the kernel that computed a differing array, when the backend computed it. */
function kernelClause(backend: AnyBackend, info: CaseInfo | undefined, f: Difference): string | undefined {
  if (info?.def === undefined || !computedBy(backend, info)) return undefined;
  const state = /state\.([A-Za-z0-9_]+)/.exec(f.what);
  if (state) return outputClause(info.def, state[1] as string);
  if (/\bparams\b|fp32_param/.test(f.what)) return info.def.clause;
  if (/\bgrads\b/.test(f.what)) {
    const hooked = info.hooks.filter((h) => backend.hooks[h] !== undefined || h === "GradientClipping");
    const kind =
      hooked.length === 1
        ? (BUILTIN_HOOKS as Record<string, { clause: string } | undefined>)[hooked[0] as string]
        : undefined;
    return kind?.clause ?? (hooked.length > 1 ? "hooks.call.order" : undefined);
  }
  return undefined;
}

/** The golden check over a directory on disk (Node) or a source already in memory (the browser). */
export function goldenCheck(dir: string | GoldenSource, only?: string, id = "golden"): Check {
  let cases: Map<string, CaseInfo> | null = null;
  let source: GoldenSource | null = typeof dir === "string" ? null : dir;
  const src = (): GoldenSource => (source ??= readGoldenDir(dir as string));
  const all = () => (cases ??= loadCases(src()));
  return {
    id,
    group: "golden",
    kernel: "all",
    get clauses() {
      return clausesExercised(all(), null, only);
    },
    clausesFor: (backend) => clausesExercised(all(), backend, only),
    applies: () =>
      typeof dir === "string"
        ? existsSync(dir)
          ? null
          : `no golden directory at ${dir}`
        : dir.files.size > 0
          ? null
          : `no golden files from ${dir.label}`,
    direct: (ctx) => {
      const engine = { name: ctx.backend.name, update: residentUpdate(ctx.backend as AnyBackend) };
      const filter = only === undefined ? undefined : (id: string) => id === only;
      const differences = (results: readonly CaseResult[]): DirectResult => {
        const diffs = results.flatMap((r) =>
          r.failures.map((f) => {
            const clause = kernelClause(ctx.backend, all().get(r.id), f) ?? f.clause ?? "update.sequence";
            return {
              what: f.what,
              // The bits and values are fields of their own; the prose detail only when there are none.
              ...(f.expectedBits === undefined
                ? { detail: f.detail }
                : f.ulp === 0
                  ? {
                      detail: `signed zero: backend ${Object.is(f.actual, -0) ? "-0" : "+0"}, spec ${Object.is(f.expected, -0) ? "-0" : "+0"}`,
                    }
                  : {}),
              clause,
              caseId: r.id,
              at: `${r.id}${f.step === undefined ? "" : ` step ${f.step}`}`,
              ...(f.dtype !== undefined ? { dtype: f.dtype } : {}),
              ...(f.expectedBits !== undefined
                ? { expectedBits: f.expectedBits, actualBits: f.actualBits as string, ulp: f.ulp as number }
                : {}),
              ...(f.expected !== undefined && f.actual !== undefined ? { expected: f.expected, actual: f.actual } : {}),
              ...(f.index !== undefined ? { index: f.index } : {}),
            };
          }),
        );
        return { diffs, runs: results.filter((r) => r.status !== "unsupported").length };
      };
      return ctx.backend.mode === "sync"
        ? differences(replaySource(src(), engine, filter))
        : replaySourceAsync(src(), engine, filter).then(differences);
    },
  };
}
