/**
 * The scalars a per-parameter hook kernel receives for one segment, from the hook kind's own
 * description (`kernel.scalarsOf`). Norms come from the spec's reduction, not the backend's: a hook
 * check judges the hook kernel alone (the reductions have their own check, the trajectories judge
 * them together).
 */
import { type NDArray, type PerParamCall, type PerParamKernelDesc, np } from "../../spec/index.js";
import type { HookSegment } from "../../backends/contract.js";

export function hookScalars(desc: PerParamKernelDesc, call: PerParamCall): HookSegment["scalars"] {
  const { param } = call;
  const sq = (a: NDArray | null, wanted: boolean): number =>
    wanted && a !== null ? (np.dotSelf(a).data[0] as number) : NaN;
  return desc.scalarsOf({
    args: call.args,
    lossScale: param.lossScale,
    dtype: param.dtype,
    paramSumSquares: sq(param.data, desc.reductions.includes("param")),
    gradSumSquares: sq(param.grad, desc.reductions.includes("grad")),
  });
}
