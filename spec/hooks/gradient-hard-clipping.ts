/**
 * GradientHardClipping(lower_bound, upper_bound).
 *
 * @clause hooks.gradient-hard-clipping Skip when there is no gradient. Else, in place,
 * `g ← clip(g, D(lower), D(upper))` with numpy's clip: NaN stays NaN, `lower > upper` gives `upper`,
 * a null bound is absent. Under loss scaling the bounds apply to the scaled gradient.
 * @clause hooks.gradient-hard-clipping.defaults name 'GradientHardClipping', timing 'pre', called for
 * each parameter.
 */
import type { HookArg, HookKind } from "./types.js";
import { checkArgs, optionalNumberArg } from "./args.js";
import { assignTo, clip } from "../numerics/np.js";

const ARGS: readonly HookArg[] = [
  { name: "lower_bound", type: "number", optional: true, examples: [null], range: [-2, 0] },
  { name: "upper_bound", type: "number", optional: true, examples: [], range: [-0.5, 2] },
];

export const GradientHardClipping: HookKind = {
  kind: "GradientHardClipping",
  defaultName: "GradientHardClipping",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.gradient-hard-clipping",
  validate: (args) => {
    const err = checkArgs(ARGS, args);
    if (err !== null) return err;
    if ((args["lower_bound"] ?? null) === null && (args["upper_bound"] ?? null) === null) {
      return "at least one of lower_bound and upper_bound must be a number";
    }
    return null;
  },
  args: ARGS,
  kernel: {
    scope: "param",
    name: "GradientHardClipping",
    reads: [],
    reductions: [],
    scalars: [
      { name: "lower", clause: "hooks.gradient-hard-clipping", nullable: true },
      { name: "upper", clause: "hooks.gradient-hard-clipping", nullable: true },
    ],
    scalarsOf: ({ args }) => ({
      lower: optionalNumberArg(args, "lower_bound"),
      upper: optionalNumberArg(args, "upper_bound"),
    }),
  },
  perParam({ args, param }) {
    if (param.grad === null) return { grad: null };
    const g = param.grad;
    return {
      grad: assignTo(g, clip(g, optionalNumberArg(args, "lower_bound"), optionalNumberArg(args, "upper_bound"))),
    };
  },
};

export const gradientHardClipping = (lower_bound: number | null, upper_bound: number | null) => ({
  kind: "GradientHardClipping",
  args: { lower_bound, upper_bound },
});
