/** Conformance results, expectations, and the report a backend author reads. */
import type { Dtype } from "../spec/index.js";

export interface Difference {
  readonly what: string;
  readonly clause: string;
  readonly index?: number;
  readonly expected?: number;
  readonly actual?: number;
  readonly expectedBits?: string;
  readonly actualBits?: string;
  readonly ulp?: number;
  readonly detail?: string;
  /** How many elements of this output failed (the first is the one shown). */
  readonly failing?: number;
  /** Which catalogued implementation mistake the backend's outputs match, if any. */
  readonly diagnosis?: Diagnosis;
}

/** The result of diagnosing a kernel failure against the catalog of implementation mistakes. */
export interface Diagnosis {
  /** The most specific clause the failure points to. */
  readonly clause: string;
  /** Catalog id of the matching mistake, or null when none matches. */
  readonly variant: string | null;
  /** A sentence for the backend author. */
  readonly summary: string;
  /** Failing elements the variant reproduces, of all failing elements. */
  readonly matched?: number;
  readonly failing?: number;
  /** Other catalogued mistakes that reproduce the outputs equally well. */
  readonly alternatives?: readonly string[];
}

export interface Failure extends Difference {
  readonly backend: string;
  readonly check: string;
  readonly kernel: string;
  readonly dtype?: Dtype;
  /** The shrunk counterexample, printed. */
  readonly counterexample: string;
  readonly seed: number;
  readonly path?: string;
  /** A command line that replays exactly this counterexample. */
  readonly replay: string;
  /** Set when an expectation entry covers this failure. */
  readonly expected_by?: Expectation;
}

export interface CheckResult {
  readonly check: string;
  readonly group: string;
  readonly kernel: string;
  readonly dtype?: Dtype;
  readonly clauses: readonly string[];
  readonly status: "passed" | "failed" | "expected-failure" | "unexpected-pass" | "not-applicable";
  readonly runs: number;
  /** Largest ULP distance seen between backend and spec (0 for exact agreement). */
  readonly maxUlp: number;
  readonly ms: number;
  readonly failures: readonly Failure[];
  readonly reason?: string;
}

/** A known failure: matching failures count as expected; an entry that passes fails the run. */
export interface Expectation {
  readonly backend: string;
  readonly clause: string;
  readonly dtype?: Dtype;
  readonly kernel?: string;
  readonly reason: string;
  readonly link?: string;
}

export interface ClauseCount {
  passed: number;
  failed: number;
  expected: number;
}

export interface ConformanceReport {
  readonly backend: string;
  readonly seed: number;
  readonly numRuns: number;
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  readonly clauses: Readonly<Record<string, ClauseCount>>;
  /** Spec clauses no check of this run covered. */
  readonly unchecked: readonly string[];
  readonly stale: readonly Expectation[];
}

export function matches(
  e: Expectation,
  backend: string,
  f: { clause: string; dtype?: Dtype; kernel: string },
): boolean {
  return (
    e.backend === backend &&
    e.clause === f.clause &&
    (e.dtype === undefined || e.dtype === f.dtype) &&
    (e.kernel === undefined || e.kernel === f.kernel)
  );
}

export function parseExpectations(text: string, source: string): Expectation[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { expectations?: unknown }).expectations;
  if (!Array.isArray(list))
    throw new TypeError(`${source}: expected an array of expectations or {"expectations": [...]}`);
  return list.map((e: unknown, i: number) => {
    const o = e as Record<string, unknown>;
    for (const k of ["backend", "clause", "reason"]) {
      if (typeof o[k] !== "string") throw new TypeError(`${source}: entry ${i} needs a string "${k}"`);
    }
    return o as unknown as Expectation;
  });
}

/** The anchor of a clause in the generated spec document (`npm run spec:doc`). */
export function clauseLink(clause: string): string {
  return `spec/SPEC.md#${clause}`;
}

export function formatFailure(f: Failure): string {
  const at = f.index === undefined ? "" : ` element ${f.index}`;
  // Different bits 0 ULP apart are a signed zero, which the detail names.
  const dist = f.ulp === Infinity ? ", NaN vs number" : f.ulp === 0 ? "" : `, ${f.ulp} ulp`;
  const show = (x: number | undefined) => (x === undefined ? "?" : Object.is(x, -0) ? "-0" : String(x));
  const bits =
    f.expectedBits === undefined
      ? ""
      : `: backend ${show(f.actual)} (0x${f.actualBits}) vs spec ${show(f.expected)} (0x${f.expectedBits})${dist}`;
  return [
    `✗ ${f.backend} ${f.check} [${f.clause}]: ${f.what}${at}${bits}${f.detail ? ` — ${f.detail}` : ""}`,
    ...(f.diagnosis ? [`    diagnosis: ${f.diagnosis.summary}`] : []),
    `    counterexample: ${f.counterexample}`,
    `    seed ${f.seed}${f.path ? `, path ${f.path}` : ""}; replay: ${f.replay}`,
    `    clause: ${clauseLink(f.clause)} (npx optspec clause ${f.clause})`,
  ].join("\n");
}

/** A check's failures for a console: at most `cap` of them, then how many more the JSON report holds. */
export function formatFailures(r: CheckResult, cap = 5): string[] {
  const shown = r.failures.slice(0, cap).map(formatFailure);
  if (r.failures.length > cap)
    shown.push(
      `    … ${r.failures.length - cap} more failures of ${r.check} (all of them are in the JSON report, --json FILE)`,
    );
  return shown;
}
