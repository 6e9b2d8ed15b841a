import type { Dtype } from "../../spec/index.js";
import type { AnyBackend, MaybePromise } from "../../backends/contract.js";
import type { Diagnosis, Difference } from "../report.js";

export interface CheckContext {
  readonly backend: AnyBackend;
  readonly seed: number;
  readonly numRuns: number;
  readonly path?: string;
  /** fast-check's replay path of a command sequence (trajectories), printed in their counterexamples. */
  readonly replayPath?: string;
  /** How to replay this check from the command line (the backend source for the CLI). */
  readonly backendRef: string;
}

/** A difference found inside a property; thrown so fast-check shrinks the counterexample. */
export class Mismatch extends Error {
  /**
   * @param diagnose Names the mistake behind the difference; run once, on the shrunk
   * counterexample only (it re-evaluates the spec under each catalogued variant).
   */
  constructor(
    readonly diff: Difference,
    readonly diagnose?: () => Diagnosis,
  ) {
    super(`${diff.what} [${diff.clause}]`);
  }
}

export interface Check {
  readonly id: string;
  readonly group: string;
  readonly kernel: string;
  readonly dtype?: Dtype;
  readonly clauses: readonly string[];
  /** The clauses this check exercises on a given backend's own kernels, when narrower than `clauses`. */
  clausesFor?(backend: AnyBackend): readonly string[];
  /** Why the check does not apply to a backend, or null. */
  applies(backend: AnyBackend): string | null;
  /**
   * A fast-check property (mismatches throw `Mismatch`); records the largest ULP distance seen.
   * Asynchronous for an asynchronous backend.
   */
  property?(ctx: CheckContext, maxUlp: { value: number }): import("fast-check").IRawProperty<unknown>;
  /** A direct check (golden replay): returns its differences and how many items it ran (a promise for an asynchronous backend). */
  direct?(ctx: CheckContext): MaybePromise<DirectResult>;
}

export interface DirectResult {
  readonly diffs: readonly (Difference & { readonly at: string; readonly caseId?: string; readonly dtype?: Dtype })[];
  readonly runs: number;
}
