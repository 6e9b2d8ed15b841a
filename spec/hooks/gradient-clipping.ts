/**
 * GradientClipping(threshold): rescales all gradients to a global L2 norm.
 *
 * @clause hooks.gradient-clipping.norm Over the initialized parameters in order, each gradient's
 * squared norm is `dot(g, g)` in its dtype (`numerics.dot.sequential`); these are summed in float64
 * starting from 0.0, `norm = sqrt(sum)` and `rate = threshold / norm` in float64 (a zero norm gives
 * an infinite rate).
 * @clause hooks.gradient-clipping.scale If `rate >= 1` nothing changes; otherwise (NaN included) every
 * gradient becomes `g · rate` in place (`rate` rounded to the gradient's dtype first, numpy 1.x).
 * @clause hooks.gradient-clipping.defaults name 'GradientClipping', timing 'pre', called once with the
 * optimizer (no `call_for_each_param`); as a rule hook it fails (`hooks.rule.per-param-only`).
 * Under loss scaling the norm is that of the scaled gradients.
 */
import type { HookArg, HookKind, Json } from "./types.js";
import { checkArgs, numberArg } from "./args.js";
import { dotSelf, imul } from "../numerics/np.js";
import type { NDArray } from "../ndarray.js";

const ARGS: readonly HookArg[] = [{ name: "threshold", type: "number", examples: [0.5, 1, 3, 1e30] }];

export const GradientClipping: HookKind = {
  kind: "GradientClipping",
  defaultName: "GradientClipping",
  timing: "pre",
  callForEachParam: false,
  clause: "hooks.gradient-clipping.norm",
  args: ARGS,
  validate: (args) => checkArgs(ARGS, args),
  kernel: { scope: "whole", clause: "hooks.gradient-clipping.scale", rateOf: clippingPlan },
  whole({ args, params }) {
    const squares = params.flatMap(({ param }) => (param.grad === null ? [] : [dotSelf(param.grad).data[0] as number]));
    const { rate, warnings } = clippingPlan(args, squares);
    if (rate === null) return { grads: {}, warnings };
    const grads: Record<string, NDArray> = {};
    for (const { path, param } of params) {
      if (param.grad !== null)
        grads[path] = imul(param.grad, { dtype: "float64", shape: [], data: Float64Array.of(rate) });
    }
    return { grads, warnings };
  },
};

/**
 * @clause hooks.gradient-clipping.norm The rate from the per-parameter squared norms (each already a
 * value of its dtype): summed in float64 from 0.0 in order, `threshold / sqrt(sum)`.
 */
export function clippingRate(threshold: number, squares: readonly number[]): number {
  let sq = 0.0;
  for (const s of squares) sq += s;
  return threshold / Math.sqrt(sq);
}

/**
 * @clause hooks.gradient-clipping.scale The rate to apply, or null when `rate >= 1` (nothing
 * changes), and numpy's warning for a zero norm.
 */
export function clippingPlan(
  args: Readonly<Record<string, Json>>,
  squares: readonly number[],
): { rate: number | null; warnings: string[] } {
  const rate = clippingRate(numberArg(args, "threshold"), squares);
  const warnings = rate === Infinity ? ["RuntimeWarning: divide by zero encountered in scalar divide"] : [];
  return { rate: rate >= 1 ? null : rate, warnings };
}

export const gradientClipping = (threshold: number) => ({ kind: "GradientClipping", args: { threshold } });
