/**
 * `runConformance(backend, options)`: diff a backend against the spec with the whole battery
 * (per-kernel properties, model-based trajectories, golden replay) and report per clause.
 */
import fc from "fast-check";
import type { AnyBackend } from "../backends/contract.js";
import { kernelChecks } from "./checks/kernels.js";
import { trajectoryChecks } from "./checks/trajectory.js";
import { goldenCheck } from "./checks/golden.js";
import { type Check, Mismatch } from "./checks/types.js";
import { specClauses } from "./clauses.js";
import { bundledGoldenDir } from "./golden/bundled-dir.js";
import type { GoldenSource } from "./golden/source.js";
import {
  type CheckResult,
  type ClauseCount,
  type ConformanceReport,
  type Expectation,
  type Failure,
  matches,
} from "./report.js";

export interface ConformanceOptions {
  /** fast-check seed (default: derived from the clock; printed in every failure). */
  readonly seed?: number;
  /** Runs per property (default 100). */
  readonly numRuns?: number;
  /** Replay path from a failure (with its seed). */
  readonly path?: string;
  /** fast-check replay path of a failing command sequence (trajectories print it in their counterexample). */
  readonly replayPath?: string;
  /** Replay only this golden case (by id). */
  readonly goldenCase?: string;
  /** Keep checks whose id, kernel or clauses contain this text. */
  readonly filter?: string;
  readonly expectations?: readonly Expectation[];
  /** Golden directory (default: the real-Chainer data bundled with optspec); null skips the golden check. */
  readonly goldenDir?: string | null;
  /** Golden directories (paths, or sources in memory) to replay, each its own check (overrides goldenDir; [] skips golden). */
  readonly goldenDirs?: readonly (string | GoldenSource)[];
  /** How a failure's replay command refers to the backend (a module path or a registry name). */
  readonly backendRef?: string;
  /** Called after each check, for progress output. */
  readonly onCheck?: (r: CheckResult) => void;
  /** Which groups to run (default all). */
  readonly groups?: readonly string[];
}

/** The golden directory a run uses: the option, else the real-Chainer data bundled with optspec. */
export function goldenDirOf(option: string | null | undefined): string | null {
  return option === undefined ? bundledGoldenDir() : option;
}

/** The golden directories of a run: `goldenDirs`, else `goldenDir` (default: the bundled data). */
export function goldenDirsOf(
  options: Pick<ConformanceOptions, "goldenDir" | "goldenDirs">,
): readonly (string | GoldenSource)[] {
  if (options.goldenDirs !== undefined) return options.goldenDirs;
  const d = goldenDirOf(options.goldenDir);
  return d === null ? [] : [d];
}

/** The CLI flags that select a golden check's directory again in a replay command. */
function goldenFlag(checkId: string, goldenDir: string | null | undefined): string {
  if (checkId.startsWith("golden:")) return ` --no-bundled-golden --golden ${checkId.slice("golden:".length)}`;
  // The bundled data is the CLI's default; another directory replaces it (`--golden` alone adds one).
  return goldenDir && goldenDir !== bundledGoldenDir() ? ` --no-bundled-golden --golden ${goldenDir}` : "";
}

/** Every check, with one golden check per directory (the first is "golden", others "golden:<dir>"). */
export function allChecks(
  goldenDirs: string | null | readonly (string | GoldenSource)[],
  goldenCase?: string,
): Check[] {
  const dirs = goldenDirs === null ? [] : typeof goldenDirs === "string" ? [goldenDirs] : goldenDirs;
  const golden = dirs.map((d, i) =>
    goldenCheck(d, goldenCase, i === 0 ? "golden" : `golden:${typeof d === "string" ? d : d.label}`),
  );
  return [...kernelChecks(), ...trajectoryChecks(), ...golden];
}

function selected(c: Check, filter: string | undefined, groups: readonly string[] | undefined): boolean {
  if (groups !== undefined && !groups.includes(c.group)) return false;
  if (filter === undefined) return true;
  return c.id.includes(filter) || c.kernel === filter || c.clauses.some((cl) => cl.includes(filter));
}

/**
 * Run the battery. Asynchronous backends (`mode: "async"`) run the same checks, awaited; the
 * report is always returned as a promise.
 */
export async function runConformance(
  backend: AnyBackend,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const seed = options.seed ?? (Date.now() ^ 0x5eed) >>> 0;
  const numRuns = options.numRuns ?? 100;
  const expectations = options.expectations ?? [];
  const goldenDirs = goldenDirsOf(options);
  const backendRef = options.backendRef ?? backend.name;
  const ctxBase = { backend, seed, numRuns, backendRef, ...(options.path !== undefined ? { path: options.path } : {}) };
  const results: CheckResult[] = [];
  const usedExpectations = new Set<Expectation>();
  for (const check of allChecks(goldenDirs, options.goldenCase)) {
    if (!selected(check, options.filter, options.groups)) continue;
    const start = performance.now();
    const why = check.applies(backend);
    const base = {
      check: check.id,
      group: check.group,
      kernel: check.kernel,
      clauses: check.clausesFor?.(backend) ?? check.clauses,
      ...(check.dtype ? { dtype: check.dtype } : {}),
    };
    if (why !== null) {
      const r: CheckResult = {
        ...base,
        status: "not-applicable",
        runs: 0,
        maxUlp: 0,
        ms: 0,
        failures: [],
        reason: why,
      };
      results.push(r);
      options.onCheck?.(r);
      continue;
    }
    const failures: Failure[] = [];
    const maxUlp = { value: 0 };
    let runs = 0;
    const replay = (extra: string) =>
      `npx optspec conformance --backend ${backendRef} --filter ${check.id} --seed ${seed}${extra}`;
    if (check.property) {
      const ctx = { ...ctxBase, ...(options.replayPath !== undefined ? { replayPath: options.replayPath } : {}) };
      const details = await fc.check(check.property(ctx, maxUlp), {
        seed,
        numRuns,
        ...(options.path !== undefined ? { path: options.path } : {}),
      });
      runs = details.numRuns;
      if (details.failed) {
        const err = details.errorInstance;
        const base =
          err instanceof Mismatch
            ? err.diff
            : {
                what: "the property threw",
                clause: check.clauses[0] ?? "update.sequence",
                detail: err instanceof Error ? err.message : String(err),
              };
        // Diagnose once, on the shrunk counterexample; the diagnosis may narrow the clause.
        const diagnosis = err instanceof Mismatch && err.diagnose ? err.diagnose() : undefined;
        const diff = diagnosis === undefined ? base : { ...base, clause: diagnosis.clause, diagnosis };
        const counterexample = fc.stringify(details.counterexample);
        // A command sequence replays only with its own replay path (printed inside the counterexample).
        const rp = /replayPath="([^"]*)"/.exec(counterexample)?.[1];
        failures.push({
          ...diff,
          backend: backend.name,
          check: check.id,
          kernel: check.kernel,
          ...(check.dtype ? { dtype: check.dtype } : {}),
          counterexample,
          seed: details.seed,
          path: details.counterexamplePath ?? "",
          replay: replay(
            `${details.counterexamplePath ? ` --path ${details.counterexamplePath}` : ""}${rp ? ` --replay-path ${rp}` : ""}`,
          ),
        });
        if (diff.ulp !== undefined && Number.isFinite(diff.ulp)) maxUlp.value = Math.max(maxUlp.value, diff.ulp);
      }
    } else if (check.direct) {
      const out = await check.direct(ctxBase);
      runs = out.runs;
      for (const d of out.diffs) {
        const { at, caseId, ...diff } = d;
        const replayCase = caseId === undefined ? "" : ` --case ${caseId}`;
        failures.push({
          ...diff,
          backend: backend.name,
          check: check.id,
          kernel: check.kernel,
          counterexample: at,
          seed,
          replay: `npx optspec conformance --backend ${backendRef} --filter ${check.id.startsWith("golden:") ? "golden" : check.id}${replayCase}${goldenFlag(check.id, options.goldenDir)}`,
        });
        if (d.ulp !== undefined && Number.isFinite(d.ulp)) maxUlp.value = Math.max(maxUlp.value, d.ulp);
      }
    }
    const annotated = failures.map((f) => {
      const e = expectations.find((x) =>
        matches(x, backend.name, { clause: f.clause, kernel: f.kernel, ...(f.dtype ? { dtype: f.dtype } : {}) }),
      );
      if (e) usedExpectations.add(e);
      return e ? { ...f, expected_by: e } : f;
    });
    const unexplained = annotated.filter((f) => f.expected_by === undefined);
    const covering = expectations.filter(
      (e) =>
        e.backend === backend.name &&
        base.clauses.includes(e.clause) &&
        (e.kernel === undefined || e.kernel === check.kernel) &&
        (e.dtype === undefined || e.dtype === check.dtype),
    );
    let status: CheckResult["status"] =
      unexplained.length > 0 ? "failed" : annotated.length > 0 ? "expected-failure" : "passed";
    if (status === "passed" && covering.length > 0) status = "unexpected-pass";
    const r: CheckResult = {
      ...base,
      status,
      runs,
      maxUlp: maxUlp.value,
      ms: performance.now() - start,
      failures: annotated,
    };
    results.push(r);
    options.onCheck?.(r);
  }
  const clauses: Record<string, ClauseCount> = {};
  for (const r of results) {
    if (r.status === "not-applicable") continue;
    const failedClauses = new Set(r.failures.filter((f) => !f.expected_by).map((f) => f.clause));
    const expectedClauses = new Set(r.failures.filter((f) => f.expected_by).map((f) => f.clause));
    for (const c of new Set([...r.clauses, ...failedClauses, ...expectedClauses])) {
      const cc = (clauses[c] ??= { passed: 0, failed: 0, expected: 0 });
      if (failedClauses.has(c)) cc.failed++;
      else if (expectedClauses.has(c)) cc.expected++;
      else cc.passed++;
    }
  }
  const unchecked = [...specClauses().keys()].filter((c) => !(c in clauses)).sort();
  const ran = results.filter((r) => r.status !== "not-applicable");
  const stale = expectations.filter(
    (e) => e.backend === backend.name && !usedExpectations.has(e) && ran.some((r) => r.clauses.includes(e.clause)),
  );
  const ok = results.every((r) => r.status !== "failed" && r.status !== "unexpected-pass") && stale.length === 0;
  return { backend: backend.name, seed, numRuns, ok, checks: results, clauses, unchecked, stale };
}
