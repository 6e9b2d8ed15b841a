/**
 * The per-kernel battery: every optimizer kernel and every per-parameter hook kernel of a backend,
 * the reductions and GradientClipping, each checked on packed multi-segment calls through the
 * contract. Generated from the registries, so a new optimizer or hook is covered for free.
 */
import { type Dtype, OPTIMIZERS, BUILTIN_HOOKS } from "../../spec/index.js";
import { optimizerCheck } from "./optimizer-kernels.js";
import { hookCheck } from "./hook-kernels.js";
import { wholeHookCheck, reductionCheck } from "./reductions.js";
import type { Check } from "./types.js";

export { allowedUlp, outputClause } from "./kernel-clauses.js";

export function kernelChecks(): Check[] {
  const out: Check[] = [];
  const dtypes: Dtype[] = ["float16", "float32", "float64"];
  for (const dtype of dtypes) {
    for (const def of Object.values(OPTIMIZERS)) out.push(optimizerCheck(def, dtype));
    for (const kind of Object.values(BUILTIN_HOOKS)) {
      if (kind.kernel?.scope === "param") out.push(hookCheck(kind, kind.kernel, dtype));
      else if (kind.kernel?.scope === "whole") out.push(wholeHookCheck(kind, kind.kernel, dtype));
    }
    out.push(reductionCheck(dtype));
  }
  return out;
}
