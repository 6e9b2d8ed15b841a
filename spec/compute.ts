/**
 * The one seam through which a backend's kernels replace the spec's arithmetic while the state
 * machine stays in the spec. Each method may return undefined to let the spec compute.
 *
 * @clause compute.override A compute override changes only how an update or a hook's arithmetic is
 * computed; the order of calls, counters, hooks, loss scaling and fp32 copies are the spec's.
 */
import type { OptimizerDef, UpdateCall, UpdateResult } from "./optimizers/types.js";
import type { HookKind, PerParamCall, PerParamResult, WholeCall, WholeResult } from "./hooks/types.js";

export interface ComputeOverride {
  optimizerUpdate?(def: OptimizerDef, call: UpdateCall): UpdateResult | undefined;
  perParamHook?(kind: HookKind, call: PerParamCall): PerParamResult | undefined;
  wholeHook?(kind: HookKind, call: WholeCall): WholeResult | undefined;
}

export function runUpdate(compute: ComputeOverride | undefined, def: OptimizerDef, call: UpdateCall): UpdateResult {
  return compute?.optimizerUpdate?.(def, call) ?? def.update(call);
}

export function runPerParam(compute: ComputeOverride | undefined, kind: HookKind, call: PerParamCall): PerParamResult {
  const r = compute?.perParamHook?.(kind, call);
  if (r !== undefined) return r;
  return (kind.perParam as (c: PerParamCall) => PerParamResult)(call);
}

export function runWhole(compute: ComputeOverride | undefined, kind: HookKind, call: WholeCall): WholeResult {
  const r = compute?.wholeHook?.(kind, call);
  if (r !== undefined) return r;
  return (kind.whole as (c: WholeCall) => WholeResult)(call);
}
