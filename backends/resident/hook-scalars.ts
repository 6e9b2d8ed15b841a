/**
 * Adapter: the scalars each per-parameter hook kernel needs, from the hook kind's own description
 * (`HookKind.kernel`, `spec/hooks/types.ts`):
 *
 * - `fixed`: scalars known when the hook is called (no reductions: WeightDecay, Lasso,
 *   GradientHardClipping);
 * - `norms`: scalars from the parameter's and gradient's squared norms at the moment the hook runs
 *   (GradientLARS), computed by the backend's reductions when the pending work is issued;
 * - `noise`: the spec draws the noise (advancing the hook's generator) and the kernel adds it.
 */
import { type HookSegment } from "../contract.js";
import type { Dtype, HookKind, PerParamCall } from "../../spec/index.js";

export type HookPlan =
  | { readonly kind: "fixed"; readonly scalars: HookSegment["scalars"] }
  | { readonly kind: "norms"; readonly scalars: (dtype: Dtype, pSquared: number, gSquared: number) => HookSegment["scalars"] }
  | { readonly kind: "noise" };

export function hookPlan(kind: HookKind, call: PerParamCall): HookPlan | undefined {
  const desc = kind.kernel;
  if (desc === undefined || desc.scope !== "param") return undefined;
  if (desc.noise !== undefined) return { kind: "noise" };
  const { args } = call;
  const lossScale = call.param.lossScale;
  if (desc.reductions.length === 0) {
    return { kind: "fixed", scalars: desc.scalarsOf({ args, lossScale, dtype: call.param.dtype, paramSumSquares: NaN, gradSumSquares: NaN }) };
  }
  return { kind: "norms", scalars: (dtype, pSq, gSq) => desc.scalarsOf({ args, lossScale, dtype, paramSumSquares: pSq, gradSumSquares: gSq }) };
}
