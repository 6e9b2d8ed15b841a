import type { Dtype } from "../../spec/index.js";
import type { AnyBackend, MaybePromise } from "../../backends/contract.js";
import type { Difference } from "../report.js";

export interface CheckContext {
  readonly backend: AnyBackend;
  readonly seed: number;
  readonly numRuns: number;
  readonly path?: string;
  /** How to replay this check from the command line (the backend source for the CLI). */
  readonly backendRef: string;
}

/** A difference found inside a property; thrown so fast-check shrinks the counterexample. */
export class Mismatch extends Error {
  constructor(readonly diff: Difference) {
    super(`${diff.what} [${diff.clause}]`);
  }
}

export interface Check {
  readonly id: string;
  readonly group: string;
  readonly kernel: string;
  readonly dtype?: Dtype;
  readonly clauses: readonly string[];
  /** Why the check does not apply to a backend, or null. */
  applies(backend: AnyBackend): string | null;
  /**
   * A fast-check property (mismatches throw `Mismatch`); records the largest ULP distance seen.
   * Asynchronous for an asynchronous backend.
   */
  property?(ctx: CheckContext, maxUlp: { value: number }): import("fast-check").IProperty<unknown> | import("fast-check").IAsyncProperty<unknown>;
  /** A direct check (golden replay): returns its differences and how many items it ran (a promise for an asynchronous backend). */
  direct?(ctx: CheckContext): MaybePromise<DirectResult>;
}

export interface DirectResult {
  readonly diffs: readonly (Difference & { readonly at: string })[];
  readonly runs: number;
}
