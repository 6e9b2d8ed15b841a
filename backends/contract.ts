/**
 * The backend contract. A backend supplies kernels; the state machine (hooks, counters, loss
 * scaling, fp32 master copies, serialization) stays single-sourced in `spec/`.
 *
 * Memory. A backend owns its buffers (`Memory<B>`): plain typed arrays for a synchronous JS backend,
 * handles into Wasm linear memory (pointer + length, from which views are re-created on demand so
 * they survive memory growth), or GPU buffers (uploaded once, stepped many times, read back on
 * demand). Every kernel call and transfer may return a promise; synchronous backends return plain
 * values and callers that know a backend is synchronous can skip awaiting.
 *
 * Ordering (asynchronous backends). Calls take effect in the order they are issued: a resident run
 * issues a step's kernel calls without awaiting them and awaits only where it needs a value (a
 * reduction or a read) and at the end of the step, where a rejected call surfaces. A backend that
 * queues its work (a GPU queue, a worker) satisfies this by construction.
 *
 * Many tensors, one call. Each kernel call updates a list of `Segment`s of packed buffers: a model
 * of 1,000 small parameters laid out in one buffer per quantity (param, grad, each state) is one
 * call with 1,000 segments. Each segment carries its own rule's hyperparameters, `t` and extras,
 * because every rule has its own `t` (Adam's bias correction) and may override hyperparameters.
 *
 * Scalars. Python-float scalars (Adam's alpha_t, the AdaBound bounds, MSVAG's rho, WeightDecay's
 * scaled rate, GradientLARS's rate, GradientClipping's rate) are computed by the spec's exported
 * helpers in float64; kernels only do the elementwise part, in the spec's order of operations.
 */
import type { Dtype, Hyperparams } from "../spec/index.js";

export type MaybePromise<T> = T | Promise<T>;

/** The numeric promise a backend makes, per kernel. */
export type NumericPromise =
  | { readonly kind: "exact" }
  | {
      readonly kind: "bounded";
      /** Largest distance in ULPs of the dtype allowed per kernel and output, with its derivation. */
      readonly bounds: Readonly<Record<string, KernelBound>>;
    }
  | {
      readonly kind: "derived";
      /**
       * Per-operation accuracy only; the kit derives, per output element, the interval of values
       * such arithmetic can produce by evaluating the spec's own formula in interval arithmetic.
       */
      readonly arithmetic: ArithmeticPromise;
    };

/**
 * How one elementwise operation of a backend may differ from the correctly rounded result, as the
 * backend's platform documents it (the kit turns this into per-element acceptance intervals).
 * - `correctly-rounded`: the exact result when representable, else either neighbour.
 * - `exact`: no rounding (maximum, minimum, sign, clip, a store of an already rounded value).
 * - `ulp`: within `ulp` units in the last place of the exact result; outside `domain` (a range of
 *   the magnitude of `domainOperand`) nothing is promised.
 * - `inherited`: accuracy of an expression of other operations (WGSL's `sqrt` is
 *   `1.0 / inverseSqrt(x)`): `via` names the steps, each with its own accuracy, applied in order.
 */
export type OperationAccuracy =
  | { readonly kind: "correctly-rounded"; readonly source: string }
  | { readonly kind: "exact"; readonly source: string }
  | {
      readonly kind: "ulp";
      readonly ulp: number;
      readonly domain?: { readonly operand: number; readonly min: number; readonly max: number };
      readonly source: string;
    }
  | {
      readonly kind: "inherited";
      readonly expression: string;
      readonly via: readonly { readonly step: "inverseSqrt" | "reciprocal"; readonly ulp: number }[];
      readonly source: string;
    };

/** A backend's arithmetic, per operation, for one dtype: what the kit derives intervals from. */
export interface ArithmeticPromise {
  readonly dtype: Dtype;
  /** By the spec's elementwise operation name (`add sub mul div sqrt square maximum minimum clip sign`). */
  readonly ops: Readonly<Record<string, OperationAccuracy>>;
  /** `a·b + c` may be computed with one rounding (the product unrounded). */
  readonly fusedMultiplyAdd: { readonly allowed: boolean; readonly source: string };
  /** Subnormal inputs and results may be replaced by a zero (of either sign). */
  readonly flushSubnormals: { readonly allowed: boolean; readonly source: string };
  /** Whether NaN and infinities are promised anything; when not, such cases are "outside the promise". */
  readonly nonFinite: { readonly promised: boolean; readonly source: string };
}

export interface KernelBound {
  /** Maximum ULP distance of each output array from the spec after one kernel call. */
  readonly ulp: number;
  /** How the bound was derived: per-operation ULP bounds counted through the kernel. */
  readonly derivation: string;
}

export interface Memory<B> {
  alloc(dtype: Dtype, length: number): B;
  /** Copy values (exactly representable in the dtype) into the buffer at an element offset. */
  write(buf: B, values: ArrayLike<number>, offset?: number): MaybePromise<void>;
  /** Read `length` elements from an element offset as doubles. */
  read(buf: B, offset?: number, length?: number): MaybePromise<Float64Array>;
  free?(buf: B): void;
  /**
   * Synchronous backends may expose a buffer's elements as a writable typed array (`Float32Array`
   * for float32, `Float64Array` for float64): a resident run hands it out so that gradients are
   * written in place. Valid until the next `alloc` (Wasm memory may grow).
   */
  view?(buf: B, offset: number, length: number): Float32Array | Float64Array;
}

/** A slice of a packed buffer. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/**
 * Elementwise operations a resident run needs besides the kernels (optional: without them the
 * run falls back to reading, computing with the spec and writing back).
 */
export interface Elementwise<B> {
  /** `x ← value` over every span (zero gradients, initial states); `value` is a value of the dtype. */
  fill(dtype: Dtype, buf: B, spans: readonly Span[], value: number): MaybePromise<void>;
  /**
   * `x ← x / D(divisor)` over every span (`rule.update.unscale`); a finite divisor beyond
   * float32's range divides a float32 array in float64 and rounds once (numpy 1.x value-based casting).
   */
  divide(dtype: Dtype, buf: B, spans: readonly Span[], divisor: number): MaybePromise<void>;
}

/** One parameter's slice of the packed buffers, with its rule's settings. */
export interface Segment {
  readonly offset: number;
  readonly length: number;
  /** Effective hyperparameters of the rule (own over the optimizer's). */
  readonly hp: Hyperparams;
  /** The rule's t, already incremented for this update. */
  readonly t: number;
  /** Rule attributes outside the state (MSVAG's beta_power, AdaBound's initial_alpha). */
  readonly extras: Readonly<Record<string, number>>;
}

export interface OptimizerBuffers<B> {
  readonly param: B;
  readonly grad: B;
  /** State buffers by state key (the spec's `initState` keys). */
  readonly state: Readonly<Record<string, B>>;
}

export interface OptimizerKernel<B> {
  /** Update every segment in place. */
  update(dtype: Dtype, bufs: OptimizerBuffers<B>, segments: readonly Segment[]): MaybePromise<void>;
}

/**
 * A per-parameter hook kernel: rewrites `grad` in place from `param` (and the hook's scalars).
 * `Backend.hooks` is keyed by the hook kind's `kernel.name`; which buffers it reads, which scalars
 * it receives and how they are computed is the kind's own description (`spec/hooks/types.ts`).
 */
export interface HookKernel<B> {
  apply(
    dtype: Dtype,
    bufs: { readonly param: B; readonly grad: B; readonly noise?: B },
    segments: readonly HookSegment[],
  ): MaybePromise<void>;
}

export interface HookSegment {
  readonly offset: number;
  readonly length: number;
  /** Scalars prepared by the spec for this parameter (`kernel.scalarsOf`, e.g. `{ rate }` or `{ lower, upper }`). */
  readonly scalars: Readonly<Record<string, number | null>>;
}

/** Reductions the hooks and loss scaling need. */
export interface Reductions<B> {
  /**
   * `dot(x, x)` over a segment in the spec's order (`numerics.dot.sequential`): sequential
   * accumulation rounded to the dtype at every step; returns the dtype value as a double.
   */
  sumSquares(dtype: Dtype, buf: B, offset: number, length: number): MaybePromise<number>;
  /** True when every element of the segment is finite (dynamic loss scaling's check). */
  allFinite(dtype: Dtype, buf: B, offset: number, length: number): MaybePromise<boolean>;
  /** `x ← x · D(rate)` over a segment (GradientClipping's rescale), `rate` rounded to the dtype. */
  scale(dtype: Dtype, buf: B, offset: number, length: number, rate: number): MaybePromise<void>;
}

export interface Backend<B = unknown> {
  /** Unique name in the registry, e.g. "js". */
  readonly name: string;
  readonly description: string;
  /** Dtypes the backend computes; others run through the spec's own rules. */
  readonly dtypes: readonly Dtype[];
  readonly promise: NumericPromise;
  /** "sync": every call returns plain values; "async": calls may return promises. */
  readonly mode: "sync" | "async";
  readonly memory: Memory<B>;
  /** Optimizer kernels by the spec's optimizer-definition name (AdamRule-based ones share "Adam"). */
  readonly optimizers: Readonly<Record<string, OptimizerKernel<B>>>;
  /** Per-parameter hook kernels by hook kind. */
  readonly hooks: Readonly<Record<string, HookKernel<B>>>;
  readonly reductions: Reductions<B>;
  /** Fill and divide over many spans, for resident runs (optional). */
  readonly elementwise?: Elementwise<B>;
  /**
   * Whether the backend can run on this machine (e.g. a GPU adapter exists), with the reason; `device`
   * names what it runs on (a GPU adapter), so that reports never mistake a software adapter for a GPU.
   */
  available?(): MaybePromise<{ readonly ok: boolean; readonly reason?: string; readonly device?: string }>;
}

/** A backend of any buffer type (kernel methods are bivariant in their buffer parameter). */
export type AnyBackend = Backend<unknown>;

/**
 * The plain value of a call on a "sync" backend (or a sync fallback kernel), whose type is the
 * contract's MaybePromise: a promise there is a broken contract, never a value to drop.
 */
export function syncResult<T>(v: MaybePromise<T>, what: string): T {
  if (v instanceof Promise) throw new Error(`${what}: a sync kernel returned a promise`);
  return v;
}
