/**
 * Optimizer hooks as plain data, and the contract a hook kind implements.
 *
 * A registered hook is `{ name, hook: { kind, args }, state }`: `kind` selects the implementation
 * in the hook-kind registry, `args` are its settings (plain JSON data), `state` is whatever the
 * hook carries between calls (GradientNoise's random-number generator).
 */
import type { NDArray } from "../ndarray.js";
import type { Param } from "../link.js";
import type { Hyperparams } from "../hyperparam.js";

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
  /** Returns a message naming what is wrong with `args`, or null. */
  validate(args: Readonly<Record<string, Json>>): string | null;
  initialState?(args: Readonly<Record<string, Json>>): Json;
  perParam?(call: PerParamCall): PerParamResult;
  whole?(call: WholeCall): WholeResult;
}
