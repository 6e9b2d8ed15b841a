/**
 * WeightDecay(rate).
 *
 * @clause hooks.weight-decay Skip when the parameter has no data or no gradient. Else
 * `r = rate`, times the parameter's loss scale if it carries one (float64), and `g ← g + D(r)·p`.
 * @clause hooks.weight-decay.loss-scale The loss-scale factor compensates the scaled gradient at
 * optimizer level. As a rule hook the gradient is already unscaled but the factor is still applied,
 * so decay is `scale` times too strong (Chainer's behaviour, kept). The fp32 master carries no loss
 * scale, so that path is unaffected.
 * @clause hooks.weight-decay.defaults name 'WeightDecay', timing 'pre', called for each parameter.
 */
import type { HookArg, HookKind, Json } from "./types.js";
import { checkArgs, numberArg } from "./args.js";
import { iadd, mul } from "../numerics/np.js";

const ARGS: readonly HookArg[] = [{ name: "rate", type: "number", examples: [0.01, 1e-4, 0], range: [-2, 2] }];

export const WeightDecay: HookKind = {
  kind: "WeightDecay",
  defaultName: "WeightDecay",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.weight-decay",
  args: ARGS,
  validate: (args) => checkArgs(ARGS, args),
  kernel: {
    scope: "param",
    name: "WeightDecay",
    reads: ["param"],
    reductions: [],
    scalars: [{ name: "rate", clause: "hooks.weight-decay" }],
    scalarsOf: ({ args, lossScale }) => ({ rate: weightDecayRate(args, lossScale) }),
  },
  perParam({ args, param }) {
    if (param.data === null || param.grad === null) return { grad: param.grad };
    return { grad: iadd(param.grad, mul(weightDecayRate(args, param.lossScale), param.data)) };
  },
};

/** @clause hooks.weight-decay The effective rate: `rate`, times the loss scale when one is carried. */
export function weightDecayRate(args: Readonly<Record<string, Json>>, lossScale: number | null): number {
  const rate = numberArg(args, "rate");
  return lossScale === null ? rate : rate * lossScale;
}

/** `weightDecay(0.01)` builds the hook spec. */
export const weightDecay = (rate: number) => ({ kind: "WeightDecay", args: { rate } });
