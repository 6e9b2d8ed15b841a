/**
 * Loss scaling: static (`set_loss_scale`) and dynamic (`loss_scaling()`).
 *
 * @clause loss-scale.dynamic.configure `loss_scaling(interval=1000, scale=None)` with no scale turns
 * dynamic scaling on, then checks `interval >= 1` (so a bad interval fails with the dynamic flag
 * already set: documented partial effect), then sets the scale to 1.0, the multiplier to
 * `pow(2, 1/interval)` (correctly rounded) and clears the "non-finite ever" flag.
 * @clause loss-scale.dynamic.interval An `interval` below 1 fails with ValueError('interval must be
 * greater than or equal to 1. Actual: <interval>').
 * @clause loss-scale.static.positive With a scale: `scale <= 0` fails; otherwise the scale is set.
 * A previously set dynamic flag is not cleared. `set_loss_scale(s)` is `loss_scaling(scale=s)`, so
 * `set_loss_scale(None)` turns dynamic scaling on with interval 1000.
 * @clause loss-scale.dynamic.check In dynamic mode, before the pre hooks, every parameter's
 * gradient (scaled, as backward left it) is checked; a non-finite element marks this update unsafe
 * and warns `Non finite number found in param.grad of <path> (iteration: <t>, loss_scale: <scale>)`.
 * @clause loss-scale.dynamic.skip An unsafe update skips every rule (their `t` stays) but the
 * optimizer's `t` still increments and the hooks still run.
 * @clause loss-scale.dynamic.adjust After the post hooks: the scale is multiplied by 0.5 if this
 * update was unsafe, else by the multiplier if any earlier update was, else by 2; then clamped to
 * [1, 65504].
 */
import type { OptimizerState, LossScaleState } from "../state.js";
import { InvalidIntervalError, InvalidLossScaleError } from "../errors.js";
import { pow } from "../numerics/pow.js";
import { pyFloatRepr } from "../numerics/py-repr.js";
import { deepFreeze } from "../plain-data.js";
import { InvalidArgumentError } from "../errors.js";
import { describeValue } from "../invariants.js";

export const LOSS_SCALE_MAX = 65504;

function reprNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? String(x) : pyFloatRepr(x);
}

export interface LossScalingOptions {
  readonly interval?: number;
  readonly scale?: number | null;
}

/** @clause loss-scale.dynamic.configure */
export function lossScaling(state: OptimizerState, options: LossScalingOptions = {}): OptimizerState {
  const interval = options.interval ?? 1000;
  const scale = options.scale ?? null;
  if (typeof interval !== "number")
    throw new InvalidArgumentError(
      `lossScaling: interval must be a number, got ${describeValue(interval)}`,
      "loss-scale.dynamic.interval",
    );
  if (scale !== null && typeof scale !== "number")
    throw new InvalidArgumentError(
      `lossScaling: scale must be a number or null, got ${describeValue(scale)}`,
      "loss-scale.static.positive",
    );
  if (scale === null) {
    const flagged: OptimizerState = { ...state, lossScale: { ...state.lossScale, dynamic: true } };
    if (!(interval >= 1)) throw new InvalidIntervalError(interval, reprNumber(interval)).withPartial(flagged);
    return deepFreeze({
      ...state,
      lossScale: {
        ...state.lossScale,
        dynamic: true,
        scale: 1.0,
        interval,
        multiplier: pow(2.0, 1.0 / interval),
        isnanEver: false,
      },
    });
  }
  if (!(scale > 0)) throw new InvalidLossScaleError(scale, reprNumber(scale));
  return deepFreeze({ ...state, lossScale: { ...state.lossScale, scale } });
}

/** @clause loss-scale.static.positive */
export function setLossScale(state: OptimizerState, scale: number | null): OptimizerState {
  return lossScaling(state, { scale });
}

/** @clause loss-scale.dynamic.adjust */
export function updateLossScale(ls: LossScaleState): LossScaleState {
  if (!ls.dynamic || ls.scale === null) return ls;
  const multiplier = ls.isnan ? 0.5 : ls.isnanEver ? (ls.multiplier ?? 2.0) : 2.0;
  const scale = Math.max(1, Math.min(LOSS_SCALE_MAX, ls.scale * multiplier));
  return { ...ls, scale };
}
