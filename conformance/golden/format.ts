/** Types of the golden trajectory format (golden/README.md). */
import type { GoldenArray, GoldenPyFloat } from "./encoding.js";

export type GoldenValue = number | boolean | null | GoldenPyFloat;

export interface GoldenStructure {
  readonly class: string;
  readonly entries: readonly (readonly ["param", string, readonly number[]] | readonly ["child", string, GoldenStructure])[];
}

export interface GoldenHook {
  readonly class: string;
  readonly args: Readonly<Record<string, GoldenValue | string>>;
  readonly target: string;
  readonly timing_arg: string | null;
  readonly name_arg: string | null;
  readonly resolved_name?: string;
  readonly resolved_timing?: string;
}

export interface GoldenError {
  readonly type: string;
  readonly str: string;
  readonly args?: readonly unknown[];
  readonly step?: number;
}

export interface GoldenRuleSnapshot {
  readonly t: number;
  readonly enabled: boolean;
  readonly state: Readonly<Record<string, GoldenArray>> | null;
  readonly own_hyperparam?: Readonly<Record<string, GoldenValue>>;
  readonly fp32_param?: GoldenArray;
  readonly beta_power?: GoldenPyFloat;
  readonly initial_alpha?: GoldenPyFloat;
}

export interface GoldenSnapshot {
  readonly t: number;
  readonly epoch: number;
  readonly params: Readonly<Record<string, GoldenArray>>;
  readonly grads?: Readonly<Record<string, GoldenArray | null>>;
  readonly grads_unchanged?: boolean;
  readonly rules: Readonly<Record<string, GoldenRuleSnapshot>>;
  readonly adam_derived?: readonly { readonly rules: readonly string[]; readonly t: number; readonly alpha_t: GoldenPyFloat; readonly bounds?: readonly [GoldenPyFloat, GoldenPyFloat] }[];
  readonly loss_scale?: GoldenPyFloat | number | null;
}

export interface GoldenAction {
  readonly op: string;
  readonly target?: string;
  readonly name?: string;
  readonly value: GoldenValue;
}

export interface GoldenStep {
  readonly actions_before?: readonly GoldenAction[];
  readonly grads_in?: Readonly<Record<string, GoldenArray>>;
  readonly loss?: GoldenArray;
  readonly grads_seen_by_first_pre_hook?: Readonly<Record<string, GoldenArray>>;
  readonly noise_calls?: readonly { readonly param: string; readonly rule_t: number; readonly noise: GoldenArray }[];
  readonly warnings?: readonly { readonly category: string; readonly message: string }[];
  readonly error?: GoldenError;
  readonly after: GoldenSnapshot;
}

export interface GoldenTrajectory {
  readonly id: string;
  readonly kind: "trajectory" | "serialization";
  readonly optimizer: { readonly class: string; readonly kwargs: Readonly<Record<string, GoldenValue>>; readonly hyperparam: Readonly<Record<string, GoldenValue>> };
  readonly dtype: string;
  readonly use_fp32_update: boolean;
  readonly link: { readonly structure: GoldenStructure; readonly param_order: readonly string[] };
  readonly hooks?: readonly GoldenHook[];
  readonly disabled_rules?: readonly string[];
  readonly rule_hyperparam?: Readonly<Record<string, Readonly<Record<string, GoldenValue>>>>;
  readonly mode: "grads" | "lossfun";
  readonly set_loss_scale?: GoldenValue;
  readonly loss_scaling?: { readonly interval?: number; readonly scale?: GoldenValue };
  readonly observer?: string;
  readonly initial: { readonly params: Readonly<Record<string, GoldenArray>>; readonly loss_scale?: GoldenValue };
  readonly steps: readonly GoldenStep[];
  readonly error?: GoldenError | null;
}

export interface GoldenCall {
  readonly call: string;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: GoldenError;
  readonly warnings?: readonly { readonly category: string; readonly message: string }[];
  readonly epoch_after?: number;
  readonly t_after?: number;
}

export interface GoldenCallSequence {
  readonly id: string;
  readonly kind: "call_sequence";
  readonly optimizer: string;
  readonly initial_epoch?: number;
  readonly calls: readonly GoldenCall[];
}

export type GoldenCase = GoldenTrajectory | GoldenCallSequence | { readonly id: string; readonly kind: string };
