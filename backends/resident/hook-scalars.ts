/**
 * Adapter: the scalars each per-parameter hook kernel needs, computed by the spec's exported
 * helpers (the one place that knows the hook kinds' kernel scalars until the hooks describe them).
 *
 * - `fixed`: scalars known when the hook is called (WeightDecay, Lasso, GradientHardClipping);
 * - `norms`: scalars from the parameter's and gradient's squared norms at the moment the hook runs
 *   (GradientLARS), computed by the backend's reductions when the pending work is issued;
 * - `noise`: the spec draws the noise (advancing the hook's generator) and the kernel adds it.
 */
import { type HookSegment } from "../contract.js";
import { type Dtype, type Json, type PerParamCall, larsRate, weightDecayRate } from "../../spec/index.js";

export type HookPlan =
  | { readonly kind: "fixed"; readonly scalars: HookSegment["scalars"] }
  | { readonly kind: "norms"; readonly scalars: (dtype: Dtype, pSquared: number, gSquared: number) => HookSegment["scalars"] }
  | { readonly kind: "noise" };

export function hookPlan(kind: string, call: PerParamCall): HookPlan | undefined {
  const args = call.args;
  switch (kind) {
    case "WeightDecay":
      return { kind: "fixed", scalars: { rate: weightDecayRate(args, call.param.lossScale) } };
    case "Lasso":
      return { kind: "fixed", scalars: { rate: args["rate"] as number } };
    case "GradientHardClipping":
      return { kind: "fixed", scalars: { lower: (args["lower_bound"] as number | null) ?? null, upper: (args["upper_bound"] as number | null) ?? null } };
    case "GradientLARS":
      return { kind: "norms", scalars: (dtype, pSq, gSq) => ({ weight_decay: args["weight_decay"] as number, rate: larsRate(args as Readonly<Record<string, Json>>, dtype, pSq, gSq) }) };
    case "GradientNoise":
      return { kind: "noise" };
    default:
      return undefined;
  }
}
