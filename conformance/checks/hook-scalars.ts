/**
 * The scalars a per-parameter hook kernel receives for one segment, computed by the spec's own
 * helpers. Norms come from the spec's reduction, not the backend's: a hook check judges the hook
 * kernel alone (the reductions have their own check, the trajectories judge them together).
 */
import { type HookKind, type NDArray, type PerParamCall, larsRate, np, weightDecayRate } from "../../spec/index.js";
import type { HookSegment } from "../../backends/contract.js";

export function hookScalars(kind: HookKind, call: PerParamCall): HookSegment["scalars"] {
  const { args, param } = call;
  const dtype = param.dtype;
  switch (kind.kind) {
    case "WeightDecay":
      return { rate: weightDecayRate(args, param.lossScale) };
    case "Lasso":
      return { rate: args["rate"] as number };
    case "GradientHardClipping":
      return { lower: (args["lower_bound"] as number | null) ?? null, upper: (args["upper_bound"] as number | null) ?? null };
    case "GradientLARS": {
      const pSq = np.dotSelf(param.data as NDArray).data[0] as number;
      const gSq = np.dotSelf(param.grad as NDArray).data[0] as number;
      return { weight_decay: args["weight_decay"] as number, rate: larsRate(args, dtype, pSq, gSq) };
    }
    default:
      return {};
  }
}
