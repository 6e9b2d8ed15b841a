/**
 * `runBoundedConformance(backend, options)`: the derived-bound battery for a backend whose promise
 * is per-operation accuracy (`promise.kind === "derived"`). Per check: passed or failed, runs, the
 * elements inside their interval, those outside the promise (never counted as passed), the largest
 * observed distance from the spec's value and the largest interval width, both in ULPs.
 */
import fc from "fast-check";
import type { AnyBackend } from "../backends/contract.js";
import { type BoundedCheck, IntervalMismatch, boundedChecks } from "./checks/bounded.js";
import { type IntervalFailure, type Tally, emptyTally } from "./intervals/verdict.js";
import { boundedGolden } from "./checks/bounded-golden.js";

export interface BoundedOptions {
  readonly seed?: number;
  /** Runs per property (default 10: GPU round trips are slow on a software adapter). */
  readonly numRuns?: number;
  /** Keep checks whose id, kernel or clauses contain this text. */
  readonly filter?: string;
  readonly groups?: readonly string[];
  readonly onCheck?: (r: BoundedResult) => void;
  /** Golden directory whose trajectories to replay within intervals; null or absent: none. */
  readonly goldenDir?: string | null;
  /** Keep golden cases whose id contains this text. */
  readonly goldenFilter?: string;
}

export interface BoundedResult {
  readonly check: string;
  readonly group: string;
  readonly kernel: string;
  readonly clauses: readonly string[];
  readonly status: "passed" | "failed" | "not-applicable";
  readonly runs: number;
  readonly tally: Tally;
  readonly failures: readonly IntervalFailure[];
  /** The property error when it was not an interval mismatch (the kernel threw). */
  readonly error?: string;
  readonly counterexample?: string;
  readonly seed: number;
  readonly ms: number;
  readonly reason?: string;
}

export interface BoundedReport {
  readonly backend: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly checks: readonly BoundedResult[];
}

function selected(c: BoundedCheck, o: BoundedOptions): boolean {
  if (o.groups !== undefined && !o.groups.includes(c.group)) return false;
  return (
    o.filter === undefined ||
    c.id.includes(o.filter) ||
    c.kernel === o.filter ||
    c.clauses.some((cl) => cl.includes(o.filter!))
  );
}

export async function runBoundedConformance(
  backend: AnyBackend,
  options: BoundedOptions = {},
  checks: readonly BoundedCheck[] = boundedChecks(),
): Promise<BoundedReport> {
  if (backend.promise.kind !== "derived")
    throw new TypeError(
      `backend ${backend.name} does not declare per-operation accuracy (promise kind ${backend.promise.kind})`,
    );
  const arithmetic = backend.promise.arithmetic;
  const seed = options.seed ?? (Date.now() ^ 0x5eed) >>> 0;
  const numRuns = options.numRuns ?? 10;
  const results: BoundedResult[] = [];
  for (const check of checks) {
    if (!selected(check, options)) continue;
    const base = { check: check.id, group: check.group, kernel: check.kernel, clauses: check.clauses, seed };
    const why = check.applies(backend);
    const tally = emptyTally();
    if (why !== null) {
      const r: BoundedResult = { ...base, status: "not-applicable", runs: 0, tally, failures: [], ms: 0, reason: why };
      results.push(r);
      options.onCheck?.(r);
      continue;
    }
    const start = performance.now();
    const details = await fc.check(check.property(backend, arithmetic, tally), { seed, numRuns, endOnFailure: true });
    const err = details.errorInstance;
    const failures = err instanceof IntervalMismatch ? err.failures : [];
    const r: BoundedResult = {
      ...base,
      status: details.failed ? "failed" : "passed",
      runs: details.numRuns,
      tally,
      failures,
      ...(details.failed && !(err instanceof IntervalMismatch)
        ? { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }
        : {}),
      ...(details.failed ? { counterexample: fc.stringify(details.counterexample).slice(0, 2000) } : {}),
      ms: performance.now() - start,
    };
    results.push(r);
    options.onCheck?.(r);
  }
  if (options.goldenDir != null && (options.groups === undefined || options.groups.includes("golden"))) {
    const start = performance.now();
    const tally = emptyTally();
    const only = options.goldenFilter;
    const g = await boundedGolden(
      backend,
      options.goldenDir,
      arithmetic,
      tally,
      only === undefined ? undefined : (id) => id.includes(only),
    );
    const r: BoundedResult = {
      check: "bounded/golden",
      group: "golden",
      kernel: "golden",
      clauses: [...new Set(g.failures.map((f) => f.clause))],
      status: g.failures.length > 0 || g.cases === 0 ? "failed" : "passed",
      runs: g.steps,
      tally,
      failures: g.failures,
      ...(g.failures[0] !== undefined
        ? { counterexample: g.failures[0].at }
        : g.cases === 0
          ? { error: `no golden trajectories in ${options.goldenDir}` }
          : {}),
      seed,
      ms: performance.now() - start,
    };
    results.push(r);
    options.onCheck?.(r);
  }
  return { backend: backend.name, seed, ok: results.every((r) => r.status !== "failed"), checks: results };
}
