/** Which tolerance a kernel gets and which clause each output of an optimizer kernel answers to. */
import { type Hyperparams, type NDArray, type OptimizerDef, withStageProbe } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";

export function allowedUlp(backend: AnyBackend, kernel: string): number {
  if (backend.promise.kind === "exact") return 0;
  // A derived promise is checked against intervals (conformance/intervals), not a ULP count.
  if (backend.promise.kind === "derived") return 0;
  return backend.promise.bounds[kernel]?.ulp ?? 0;
}

/** The clause a differing output of an optimizer points to. */
export function outputClause(def: OptimizerDef, output: string): string {
  return output === "param" ? def.clause : (def.stateClauses?.[output] ?? def.clause);
}

/**
 * The stage clauses an optimizer's update marks (`spec/stages.ts`), found by running it once on a
 * one-element parameter with its default hyperparameters: a kernel check checks those stages too.
 */
export function stageClauses(def: OptimizerDef): string[] {
  const hp: Hyperparams = Object.fromEntries(def.hyperparams.map((h) => [h.name, def.fixed?.[h.name] ?? h.default]));
  const param: NDArray = { dtype: "float64", shape: [1], data: Float64Array.of(0.5) };
  const seen = new Set<string>();
  try {
    withStageProbe(
      (clause, value) => {
        seen.add(clause);
        return value;
      },
      () =>
        def.update({
          path: "/p",
          param,
          grad: { ...param, data: Float64Array.of(0.25) },
          state: def.initState(param, hp),
          hp,
          t: 1,
          extras: def.ruleExtras ? def.ruleExtras(hp) : {},
        }),
    );
  } catch {
    // A definition whose defaults do not update is checked on its output clauses only.
  }
  return [...seen];
}
