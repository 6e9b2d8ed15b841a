/**
 * GradientHardClipping(lower_bound, upper_bound).
 *
 * @clause hooks.gradient-hard-clipping Skip when there is no gradient. Else, in place,
 * `g ← clip(g, D(lower), D(upper))` with numpy's clip: NaN stays NaN, `lower > upper` gives `upper`,
 * a null bound is absent. Under loss scaling the bounds apply to the scaled gradient.
 * @clause hooks.gradient-hard-clipping.defaults name 'GradientHardClipping', timing 'pre', called for
 * each parameter.
 */
import type { HookKind } from "./types.js";
import { optionalNumberArg, requireNumbers } from "./args.js";
import { assignTo, clip } from "../numerics/np.js";

export const GradientHardClipping: HookKind = {
  kind: "GradientHardClipping",
  defaultName: "GradientHardClipping",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.gradient-hard-clipping",
  validate: (args) => {
    const err = requireNumbers(args, ["lower_bound", "upper_bound"], ["lower_bound", "upper_bound"]);
    if (err !== null) return err;
    if ((args["lower_bound"] ?? null) === null && (args["upper_bound"] ?? null) === null) {
      return "at least one of lower_bound and upper_bound must be a number";
    }
    return null;
  },
  perParam({ args, param }) {
    if (param.grad === null) return { grad: null };
    const g = param.grad;
    return { grad: assignTo(g, clip(g, optionalNumberArg(args, "lower_bound"), optionalNumberArg(args, "upper_bound"))) };
  },
};

export const gradientHardClipping = (lower_bound: number | null, upper_bound: number | null) => ({
  kind: "GradientHardClipping",
  args: { lower_bound, upper_bound },
});
