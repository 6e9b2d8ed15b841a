/**
 * GradientLARS(threshold=1e-2, weight_decay=0.0, eps=1e-9): layer-wise adaptive rate scaling.
 *
 * @clause hooks.gradient-lars.rate Skip when the parameter has no data or no gradient. Else
 * `pn = sqrt(dot(p, p))` and `gn = sqrt(dot(g, g))` in the parameter's dtype;
 * `local = pn / ((eps + gn) + (weight_decay · pn))` in float64 (numpy 1.x scalar promotion);
 * `rate = local` if `pn > threshold` else `1.0`.
 * @clause hooks.gradient-lars.apply `g ← g + D(weight_decay)·p`, then `g ← g · rate` (rate as a
 * float64 0-d array meeting the gradient: rounded to D unless it overflows D). The weight decay is
 * added even below the threshold.
 * @clause hooks.gradient-lars.defaults name 'GradientLARS', timing 'pre', called for each parameter.
 */
import type { HookArg, HookKind, Json } from "./types.js";
import type { Dtype } from "../numerics/dtype.js";
import { checkArgs, numberArg } from "./args.js";
import { dotSelf, iadd, imul, mul } from "../numerics/np.js";
import { roundTo } from "../numerics/dtype.js";

const ARGS: readonly HookArg[] = [
  { name: "threshold", type: "number", examples: [1e-2, 0, 10, 1e-30], range: [0, 20] },
  { name: "weight_decay", type: "number", examples: [0, 1e-3, 0.2], range: [-2, 2] },
  { name: "eps", type: "number", examples: [1e-9, 0], range: [0, 1] },
];

export const GradientLARS: HookKind = {
  kind: "GradientLARS",
  defaultName: "GradientLARS",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.gradient-lars.rate",
  args: ARGS,
  validate: (args) => checkArgs(ARGS, args),
  kernel: {
    scope: "param",
    name: "GradientLARS",
    reads: ["param"],
    reductions: ["param", "grad"],
    scalars: [
      { name: "weight_decay", clause: "hooks.gradient-lars.apply" },
      { name: "rate", clause: "hooks.gradient-lars.rate" },
    ],
    scalarsOf: ({ args, dtype, paramSumSquares, gradSumSquares }) => ({
      weight_decay: numberArg(args, "weight_decay"),
      rate: larsRate(args, dtype, paramSumSquares, gradSumSquares),
    }),
  },
  perParam({ args, param }) {
    const p = param.data;
    const g0 = param.grad;
    if (p === null || g0 === null) return { grad: g0 };
    const wd = numberArg(args, "weight_decay");
    const rate = larsRate(args, p.dtype, dotSelf(p).data[0] as number, dotSelf(g0).data[0] as number);
    let g = iadd(g0, mul(wd, p));
    g = imul(g, { dtype: "float64", shape: [], data: Float64Array.of(rate) });
    return { grad: g };
  },
};

/**
 * @clause hooks.gradient-lars.rate The rate from the squared norms `dot(p, p)` and `dot(g, g)` (values
 * of the dtype): the norms are their square roots rounded to the dtype, the rest is float64.
 */
export function larsRate(
  args: Readonly<Record<string, Json>>,
  dtype: Dtype,
  pSquared: number,
  gSquared: number,
): number {
  const pn = roundTo(dtype, Math.sqrt(pSquared));
  const gn = roundTo(dtype, Math.sqrt(gSquared));
  const local = pn / (numberArg(args, "eps") + gn + numberArg(args, "weight_decay") * pn);
  return pn > numberArg(args, "threshold") ? local : 1.0;
}

export const gradientLARS = (threshold = 1e-2, weight_decay = 0.0, eps = 1e-9) => ({
  kind: "GradientLARS",
  args: { threshold, weight_decay, eps },
});
