/**
 * The spec's `update` as a function of states, computed by a resident run created for the call:
 * the state is loaded into the backend, stepped, and read back (what the golden replay and other
 * state-in, state-out callers need; a model that steps many times keeps one run instead).
 * A failed update throws with `error.partial` read back, like the spec's.
 */
import type { LossFunction, OptimizerState, Warn } from "../../spec/index.js";
import type { AnyBackend, MaybePromise } from "../contract.js";
import { ResidentRun } from "./run.js";

export function residentUpdate(
  backend: AnyBackend,
): (state: OptimizerState, lossfun?: LossFunction, options?: { readonly warn?: Warn }) => MaybePromise<OptimizerState> {
  if (backend.mode === "sync") {
    return (state, lossfun, options = {}) => {
      const run = ResidentRun.createSync(state, backend);
      try {
        run.updateSync(lossfun, options);
        return run.snapshotSync();
      } finally {
        run.dispose();
      }
    };
  }
  return async (state, lossfun, options = {}) => {
    const run = await ResidentRun.create(state, backend);
    try {
      await run.update(lossfun, options);
      return await run.snapshot();
    } finally {
      run.dispose();
    }
  };
}
