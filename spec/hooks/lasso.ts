/**
 * Lasso(rate).
 *
 * @clause hooks.lasso Skip when the parameter has no data or no gradient. Else
 * `g ← g + D(rate)·sign(p)` (numpy sign: ±1, +0 for zeros, NaN for NaN). Not compensated for the
 * loss scale, so under loss scaling its strength is divided by the scale.
 * @clause hooks.lasso.defaults name 'Lasso', timing 'pre', called for each parameter.
 */
import type { HookArg, HookKind } from "./types.js";
import { checkArgs, numberArg } from "./args.js";
import { iadd, mul, sign } from "../numerics/np.js";

const ARGS: readonly HookArg[] = [{ name: "rate", type: "number", examples: [0.005, 0], range: [-2, 2] }];

export const Lasso: HookKind = {
  kind: "Lasso",
  defaultName: "Lasso",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.lasso",
  args: ARGS,
  validate: (args) => checkArgs(ARGS, args),
  kernel: {
    scope: "param",
    name: "Lasso",
    reads: ["param"],
    reductions: [],
    scalars: [{ name: "rate", clause: "hooks.lasso" }],
    scalarsOf: ({ args }) => ({ rate: numberArg(args, "rate") }),
  },
  perParam({ args, param }) {
    if (param.data === null || param.grad === null) return { grad: param.grad };
    return { grad: iadd(param.grad, mul(numberArg(args, "rate"), sign(param.data))) };
  },
};

export const lasso = (rate: number) => ({ kind: "Lasso", args: { rate } });
