/**
 * The scalars an optimizer's elementwise kernel needs, declared by the optimizer itself so that
 * every backend (JS, Wasm, WebGPU) prepares them the same way and the spec's update reads the
 * same functions (single source).
 *
 * A scalar is a Python float computed in float64 from the rule's effective hyperparameters, its
 * `t` and its extras, by the spec's own helpers (`alphaT`, `adaBoundBounds`, `msvagRho`, …), or a
 * 0/1 flag that selects a branch of the kernel. How it meets an array:
 *
 * - `"python"`: numpy 1.x value-based casting (`numerics.promotion.value-based`): rounded to the
 *   array's dtype, unless it is finite and beyond that dtype's range; then the operation, and
 *   every operation its result feeds, runs in a wider dtype, so a backend leaves that segment to
 *   the spec (`widensDtype`);
 * - `"dtype"`: already a numpy scalar of the array's dtype, always rounded (RMSprop's eps);
 * - `"flag"`: a switch, not an operand.
 *
 * A scalar with `when` is used (computed, and checked for width) only while that flag is on; the
 * flag is declared before it.
 */
import type { Hyperparams } from "../hyperparam.js";
import { num } from "../hyperparam.js";
import { type Dtype, maxFinite } from "../numerics/dtype.js";

export type Extras = Readonly<Record<string, number>>;

export interface KernelScalar {
  readonly name: string;
  /** The clause the scalar comes from. */
  readonly clause: string;
  readonly role: "python" | "dtype" | "flag";
  /** The name of an earlier flag: the scalar is used only while it is on (else it reads 0). */
  readonly when?: string;
  /**
   * A costly scalar's inputs (correctly rounded powers): a backend may reuse the last value while
   * these repeat (compared with Object.is).
   */
  readonly memo?: { readonly hp: readonly string[]; readonly t?: boolean; readonly extras?: readonly string[] };
  /** The value in float64 (a flag: 1 or 0); may raise where Python raises. */
  value(hp: Hyperparams, t: number, extras: Extras): number;
}

/** A buffer or rule attribute the kernel needs, only while `when` (a flag) is on if given. */
export interface KernelNeed {
  readonly key: string;
  readonly when?: string;
}

export interface KernelScalars {
  readonly scalars: readonly KernelScalar[];
  /** The state buffers the kernel reads and writes, in the order a backend passes them. */
  readonly states: readonly KernelNeed[];
  /** The rule extras the scalars read. */
  readonly extras?: readonly KernelNeed[];
  /**
   * Settings a kernel of this dtype must refuse before writing anything (the spec raises there,
   * or a state would change dtype): a message, or null.
   */
  refuse?(hp: Hyperparams, dtype: Dtype): string | null;
}

/**
 * Whether a Python float meeting an array of `dtype` widens the operation
 * (`numerics.promotion.value-based`): it is finite and beyond the dtype's largest finite value.
 */
export function widensDtype(dtype: Dtype, s: number): boolean {
  return Number.isFinite(s) && Math.abs(s) > maxFinite(dtype) && dtype !== "float64";
}

/** A hyperparameter read as a Python float. */
export function hpScalar(name: string, clause: string, role: "python" | "dtype" = "python"): KernelScalar {
  return { name, clause, role, value: (hp) => num(hp, name) };
}
