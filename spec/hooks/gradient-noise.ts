/**
 * GradientNoise(eta, noise_func=exponential_decay_noise).
 *
 * @clause hooks.gradient-noise Skip when there is no gradient. Else
 * `noise = noise_func(shape, dtype, hook, rule)` (an array of the gradient's dtype) and
 * `g ← g + noise`. The rule passed is the parameter's update rule, so at optimizer level (pre) the
 * noise sees the rule's `t` before this update's increment, and as a rule hook after it.
 * @clause hooks.gradient-noise.default The default noise is Chainer's `exponential_decay_noise`:
 * `std = sqrt(eta / pow(1 + t, 0.55))` (float64, correctly rounded pow) with `t` the rule's `t`,
 * and `normal(0, std, shape)` drawn in C order from numpy's legacy RandomState (MT19937 with the
 * cached polar Box–Muller), then `astype(dtype)`. Chainer draws from numpy's global generator; the
 * spec keeps the generator in the hook's own state, seeded by `seed` (default 0), so a run is
 * reproducible and `RandomState(seed)` in numpy gives the same draws (deviation, by design).
 * @clause hooks.gradient-noise.injectable Any registered noise function may be named in
 * `args.noise = {name, ...settings}`; user functions are registered with `registerNoiseFunction`.
 * @clause hooks.gradient-noise.defaults name 'GradientNoise', timing 'pre', called for each parameter.
 */
import type { HookArg, HookKind, Json, RuleView } from "./types.js";
import { checkArgs, numberArg } from "./args.js";
import { namedRegistry } from "../named-registry.js";
import { iadd } from "../numerics/np.js";
import { array, type NDArray, sizeOf } from "../ndarray.js";
import type { Dtype } from "../numerics/dtype.js";
import { pow } from "../numerics/pow.js";
import { type LegacyRandomState, normal, seedLegacy } from "../numerics/mt19937.js";

export interface NoiseCall {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** The hook's arguments (`eta` and the noise settings). */
  readonly args: Readonly<Record<string, Json>>;
  readonly settings: Readonly<Record<string, Json>>;
  readonly rule: RuleView | null;
  /** The noise function's state (its generator), as returned last time. */
  readonly state: Json;
}

export interface NoiseFunction {
  readonly name: string;
  initialState?(settings: Readonly<Record<string, Json>>): Json;
  draw(call: NoiseCall): { readonly noise: NDArray; readonly state?: Json };
}

const noiseFunctions = namedRegistry<NoiseFunction>("noise function", (f) => f.name);

export const registerNoiseFunction = (fn: NoiseFunction): void => noiseFunctions.register(fn);
export const getNoiseFunction = (name: string): NoiseFunction | undefined => noiseFunctions.get(name);

/** @clause hooks.gradient-noise.default */
export const exponentialDecayNoise: NoiseFunction = {
  name: "exponential_decay_noise",
  initialState: (settings) => {
    const seed = settings["seed"] ?? 0;
    return seedLegacy(typeof seed === "number" ? seed : 0) as unknown as Json;
  },
  draw({ shape, dtype, args, rule, state }) {
    const t = rule === null ? 0 : rule.t;
    const std = Math.sqrt(numberArg(args, "eta") / pow(1 + t, 0.55));
    const r = normal(state as unknown as LegacyRandomState, 0, std, sizeOf(shape));
    return { noise: array(dtype, shape, r.values), state: r.state as unknown as Json };
  },
};
registerNoiseFunction(exponentialDecayNoise);

function noiseSettings(args: Readonly<Record<string, Json>>): Readonly<Record<string, Json>> {
  const n = args["noise"];
  if (n === undefined || n === null) return { name: exponentialDecayNoise.name };
  return n as Readonly<Record<string, Json>>;
}

function checkNoise(n: Json): string | null {
  if (typeof (n as Record<string, Json>)["name"] !== "string")
    return "argument noise must be {name, ...settings} naming a registered noise function";
  const name = (n as Record<string, Json>)["name"] as string;
  return noiseFunctions.get(name) === undefined
    ? `no noise function named ${JSON.stringify(name)} is registered`
    : null;
}

const ARGS: readonly HookArg[] = [
  { name: "eta", type: "number", examples: [0.01, 0.3] },
  { name: "noise", type: "object", optional: true, examples: [], check: checkNoise },
];

export const GradientNoise: HookKind = {
  kind: "GradientNoise",
  defaultName: "GradientNoise",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.gradient-noise",
  args: ARGS,
  validate: (args) => checkArgs(ARGS, args),
  kernel: {
    scope: "param",
    name: "GradientNoise",
    reads: ["noise"],
    reductions: [],
    scalars: [],
    scalarsOf: () => ({}),
    noise: ({ args, state, rule }, shape, dtype) => drawNoise(args, state, rule, shape, dtype),
  },
  initialState(args) {
    const settings = noiseSettings(args);
    const fn = noiseFunctions.get(settings["name"] as string);
    return fn?.initialState ? fn.initialState(settings) : null;
  },
  perParam({ args, state, rule, param }) {
    if (param.grad === null) return { grad: null };
    const g = param.grad;
    const r = drawNoise(args, state, rule, g.shape, g.dtype);
    return { grad: iadd(g, r.noise), state: r.state };
  },
};

/** @clause hooks.gradient-noise The noise for one gradient, and the noise function's next state. */
export function drawNoise(
  args: Readonly<Record<string, Json>>,
  state: Json,
  rule: RuleView | null,
  shape: readonly number[],
  dtype: Dtype,
): { noise: NDArray; state: Json } {
  const settings = noiseSettings(args);
  const fn = noiseFunctions.get(settings["name"] as string);
  if (fn === undefined)
    throw new TypeError(`GradientNoise: no noise function named ${String(settings["name"] as string)} is registered`);
  const r = fn.draw({ shape, dtype, args, settings, rule, state });
  return { noise: r.noise, state: r.state === undefined ? state : r.state };
}

export const gradientNoise = (eta: number, noise?: Readonly<Record<string, Json>>) => ({
  kind: "GradientNoise",
  args: noise === undefined ? { eta } : { eta, noise },
});
