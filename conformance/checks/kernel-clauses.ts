/** Which tolerance a kernel gets and which clause each output of an optimizer kernel answers to. */
import type { OptimizerDef } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";

export function allowedUlp(backend: AnyBackend, kernel: string): number {
  if (backend.promise.kind === "exact") return 0;
  return backend.promise.bounds[kernel]?.ulp ?? 0;
}

/** The clause a differing output of an optimizer points to. */
export function outputClause(def: OptimizerDef, output: string): string {
  return output === "param" ? def.clause : (def.stateClauses?.[output] ?? def.clause);
}
