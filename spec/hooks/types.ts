/**
 * Optimizer hooks as plain data, and the contract a hook kind implements.
 *
 * A registered hook is `{ name, hook: { kind, args }, state }`: `kind` selects the implementation
 * in the hook-kind registry, `args` are its settings (plain JSON data), `state` is whatever the
 * hook carries between calls (GradientNoise's random-number generator).
 *
 * A hook kind describes itself, so that nothing outside `spec/hooks/` switches on hook names:
 *
 * - `args`: its arguments as a small schema (`HookArg`). `checkArgs` validates against it and the
 *   conformance kit draws arguments from it (`examples`, `range`).
 * - `kernel`: what a backend computes for it (`HookKernelDesc`), either
 *   - `scope: "param"` (called for each parameter): the backend kernel `Backend.hooks[name]`
 *     rewrites `grad` in place, reading `param` and/or a drawn `noise` array (`reads`), with the
 *     float64 scalars `scalarsOf` computes from the arguments, the parameter's loss scale and dtype,
 *     and the reductions it asks for (`dot(p, p)`, `dot(g, g)` from the backend's `sumSquares`);
 *     a hook with `noise` draws its noise array in the spec (GradientNoise);
 *   - `scope: "whole"` (called once per update): every gradient's `dot(g, g)` (the backend's
 *     `sumSquares`), then one `rate` from `rateOf`, applied to every gradient with the backend's
 *     `scale` reduction (GradientClipping).
 *
 * Adding a hook is one file here (a `HookKind` with `args` and `kernel`), one row in `index.ts`,
 * and one kernel per backend named `kernel.name`.
 */
import type { NDArray } from "../ndarray.js";
import type { Param } from "../link.js";
import type { Hyperparams } from "../hyperparam.js";
import type { Dtype } from "../numerics/dtype.js";

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

export interface HookSpec {
  readonly kind: string;
  readonly args: Readonly<Record<string, Json>>;
  /** Instance `timing` attribute, overriding the kind's (Chainer lets an instance set it). */
  readonly timing?: string;
  /** Instance `name` attribute, overriding the kind's default name. */
  readonly name?: string | null;
}

export interface HookEntry {
  readonly name: string;
  readonly hook: HookSpec;
  readonly state: Json;
}

export interface HookTable {
  readonly pre: readonly HookEntry[];
  readonly post: readonly HookEntry[];
}

export const EMPTY_HOOKS: HookTable = { pre: [], post: [] };

/** What a per-parameter hook sees of the update rule. */
export interface RuleView {
  readonly t: number;
  readonly hyperparam: Hyperparams;
  readonly path: string;
}

export interface PerParamCall {
  readonly args: Readonly<Record<string, Json>>;
  readonly state: Json;
  readonly rule: RuleView | null;
  readonly param: Param;
  readonly path: string;
}

export interface PerParamResult {
  readonly grad: NDArray | null;
  readonly state?: Json;
}

export interface WholeCall {
  readonly args: Readonly<Record<string, Json>>;
  readonly state: Json;
  /** Initialized parameters in Chainer's order (`params(include_uninit=False)`). */
  readonly params: readonly { readonly path: string; readonly param: Param }[];
  readonly t: number;
}

export interface WholeResult {
  /** New gradients for the parameters whose gradient changed. */
  readonly grads: Readonly<Record<string, NDArray>>;
  readonly state?: Json;
  readonly warnings?: readonly string[];
}

/** One argument of a hook kind: the validator checks it, the conformance kit draws it. */
export interface HookArg {
  readonly name: string;
  /** "number": a Python int or float; "object": JSON settings (checked by `check`). */
  readonly type: "number" | "object";
  /** May be null or absent. */
  readonly optional?: boolean;
  /** Typical values, drawn by the conformance kit (an empty list: the kit leaves it absent). */
  readonly examples: readonly Json[];
  /** A finite range the kit also draws numbers from. */
  readonly range?: readonly [number, number];
  /** Further checks of a present value: a message, or null. */
  readonly check?: (value: Json) => string | null;
}

/** What a per-parameter hook kernel's scalars are computed from. */
export interface HookScalarInputs {
  readonly args: Readonly<Record<string, Json>>;
  /** The parameter's loss scale, or null. */
  readonly lossScale: number | null;
  /** The dtype of the parameter and its gradient. */
  readonly dtype: Dtype;
  /** `dot(p, p)` as a value of the dtype, when `reductions` lists "param" (else NaN). */
  readonly paramSumSquares: number;
  /** `dot(g, g)` as a value of the dtype, when `reductions` lists "grad" (else NaN). */
  readonly gradSumSquares: number;
}

/** One scalar a hook kernel receives, with the clause that defines it. */
export interface HookScalar {
  readonly name: string;
  readonly clause: string;
  /** null means "absent" (GradientHardClipping's missing bound). */
  readonly nullable?: boolean;
}

/** A hook applied for each parameter by one backend kernel that rewrites `grad` in place. */
export interface PerParamKernelDesc {
  readonly scope: "param";
  /** The kernel's key in `Backend.hooks`. */
  readonly name: string;
  /** Buffers the kernel reads besides `grad` ("noise": the array `noise` draws, laid out like grad). */
  readonly reads: readonly ("param" | "noise")[];
  /** Reductions over this parameter's buffers that `scalarsOf` needs (the backend's `sumSquares`). */
  readonly reductions: readonly ("param" | "grad")[];
  readonly scalars: readonly HookScalar[];
  /** The scalars in float64 (Python floats), not yet rounded to the dtype. */
  scalarsOf(inputs: HookScalarInputs): Readonly<Record<string, number | null>>;
  /** Draws the array the kernel adds (GradientNoise), and the hook's next state. */
  noise?(call: PerParamCall, shape: readonly number[], dtype: Dtype): { readonly noise: NDArray; readonly state: Json };
}

/** A hook applied once per update: one rate from every gradient's squared norm, then `g ← g·rate`. */
export interface WholeKernelDesc {
  readonly scope: "whole";
  /** The clause of the rescale `g ← g·rate`. */
  readonly clause: string;
  /** The rate in float64 from the squared norms in parameter order; `rate: null` changes nothing. */
  rateOf(
    args: Readonly<Record<string, Json>>,
    squares: readonly number[],
  ): { readonly rate: number | null; readonly warnings: readonly string[] };
}

export type HookKernelDesc = PerParamKernelDesc | WholeKernelDesc;

export interface HookKind {
  readonly kind: string;
  /** The class attribute `name` (the default hook name), or null when the hook has none. */
  readonly defaultName: string | null;
  /** The class attribute `timing`, or undefined when absent (then 'auto' means 'pre'). */
  readonly timing: string | undefined;
  /** Chainer's `call_for_each_param`: called as hook(rule, param) for every parameter. */
  readonly callForEachParam: boolean;
  /** Clause id of the hook's rule. */
  readonly clause: string;
  /** The arguments (absent for kinds registered without a schema). */
  readonly args?: readonly HookArg[];
  /** What a backend computes for the hook (absent: the spec computes it). */
  readonly kernel?: HookKernelDesc;
  /** Returns a message naming what is wrong with `args`, or null. */
  validate(args: Readonly<Record<string, Json>>): string | null;
  initialState?(args: Readonly<Record<string, Json>>): Json;
  perParam?(call: PerParamCall): PerParamResult;
  whole?(call: WholeCall): WholeResult;
}
