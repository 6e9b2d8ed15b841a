/** The spec's plain update of a random kernel case, shared by the numerics-context property tests. */
import { fc } from "@fast-check/vitest";
import type { OptimizerDef, UpdateCall, UpdateResult } from "../../spec/index.js";
import { type KernelCase, kernelCaseCall } from "../../conformance/arbitraries.js";

/** The case's call and the spec's result outside any context; a case the spec rejects is discarded. */
export function plainUpdate(def: OptimizerDef, c: KernelCase): { call: UpdateCall; plain: UpdateResult } {
  const call = kernelCaseCall(c);
  try {
    return { call, plain: def.update(call) };
  } catch {
    fc.pre(false);
    throw new Error("unreachable: fc.pre(false) discards the case");
  }
}
