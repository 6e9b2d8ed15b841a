/**
 * The scalars of a per-parameter hook kernel, from the hook kind's own description
 * (`PerParamKernelDesc` in `spec/hooks/types.ts`):
 *
 * - `fixed`: scalars known when the hook is called (no reductions), computed then;
 * - `norms`: scalars that need the parameter's and/or gradient's squared norms at the moment the
 *   hook runs (GradientLARS), computed by the backend's reductions when the pending work is issued.
 *
 * Consecutive parameters usually share arguments, loss scale and dtype, so the last fixed scalars
 * are reused (no allocation per parameter).
 */
import type { HookSegment } from "../contract.js";
import type { Dtype, Json, PerParamKernelDesc } from "../../spec/index.js";

export type HookPlan =
  | { readonly kind: "fixed"; readonly scalars: HookSegment["scalars"] }
  | {
      readonly kind: "norms";
      readonly desc: PerParamKernelDesc;
      readonly args: Readonly<Record<string, Json>>;
      readonly lossScale: number | null;
    };

export class HookPlans {
  private desc: PerParamKernelDesc | null = null;
  private args: Readonly<Record<string, Json>> | null = null;
  private lossScale: number | null = null;
  private dtype: Dtype | null = null;
  private plan: HookPlan | null = null;

  planOf(
    desc: PerParamKernelDesc,
    args: Readonly<Record<string, Json>>,
    lossScale: number | null,
    dtype: Dtype,
  ): HookPlan {
    if (desc.reductions.length > 0) return { kind: "norms", desc, args, lossScale };
    if (
      this.plan !== null &&
      desc === this.desc &&
      args === this.args &&
      Object.is(lossScale, this.lossScale) &&
      dtype === this.dtype
    )
      return this.plan;
    const plan: HookPlan = {
      kind: "fixed",
      scalars: desc.scalarsOf({ args, lossScale, dtype, paramSumSquares: NaN, gradSumSquares: NaN }),
    };
    this.desc = desc;
    this.args = args;
    this.lossScale = lossScale;
    this.dtype = dtype;
    this.plan = plan;
    return plan;
  }
}

/** The scalars of a `norms` plan, given the squared norms the description asked for (NaN otherwise). */
export function normScalars(
  plan: Extract<HookPlan, { kind: "norms" }>,
  dtype: Dtype,
  paramSumSquares: number,
  gradSumSquares: number,
): HookSegment["scalars"] {
  return plan.desc.scalarsOf({ args: plan.args, lossScale: plan.lossScale, dtype, paramSumSquares, gradSumSquares });
}
