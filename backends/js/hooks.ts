/**
 * Per-parameter hook kernels of the JS backend. Each rewrites `grad` in place over its segments
 * from `param` (and the hook's scalars, prepared by the spec), in the spec's order of operations:
 *
 * - WeightDecay `{rate}`: `g ← g + D(rate)·p` (`hooks.weight-decay`; `rate` already carries the
 *   loss-scale factor);
 * - Lasso `{rate}`: `g ← g + D(rate)·sign(p)` (`hooks.lasso`);
 * - GradientHardClipping `{lower, upper}` (either may be null): `g ← clip(g, D(lower), D(upper))`
 *   (`hooks.gradient-hard-clipping`);
 * - GradientNoise `{}`: `g ← g + noise`, `noise` laid out like `grad` (`hooks.gradient-noise`);
 * - GradientLARS `{weight_decay, rate}`: `g ← g + D(weight_decay)·p`, then `g ← g·D(rate)`
 *   (`hooks.gradient-lars.apply`).
 *
 * Scalars follow numpy 1.x value-based casting: a finite scalar beyond float32's range meets a
 * float32 array in float64, and the result is rounded once when stored back into the gradient.
 */
import type { HookKernel, HookSegment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { type JsBuffer, asF32, asF64, checkSegment, limitOf, wideForF32 } from "./memory.js";

interface HookBufs {
  readonly param: JsBuffer;
  readonly grad: JsBuffer;
  readonly noise?: JsBuffer;
}

function scalar(seg: HookSegment, name: string, hook: string): number {
  const v = seg.scalars[name];
  if (typeof v !== "number") throw new TypeError(`js backend: ${hook} needs a number scalar ${name}`);
  return v;
}

function nullableScalar(seg: HookSegment, name: string): number | null {
  const v = seg.scalars[name];
  return v === undefined || v === null ? null : v;
}

/**
 * Checks every segment (bounds and scalars) before anything is written, so that a call that
 * throws leaves the gradient untouched.
 */
function validate(segments: readonly HookSegment[], limit: number, hook: string, required: readonly string[]): void {
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    for (const name of required) scalar(seg, name, hook);
  }
}

function noDtype(dtype: Dtype, hook: string): never {
  throw new TypeError(`js backend: ${hook} does not compute ${dtype}`);
}

// ---------------------------------------------------------------- g ← g + D(r)·p (WeightDecay, LARS)

function addScaled32(g: Float32Array, p: Float32Array, start: number, end: number, r: number): void {
  const rD = Math.fround(r);
  for (let i = start; i < end; i++) g[i] = Math.fround(g[i]! + Math.fround(rD * p[i]!));
}

/** `r` overflows float32: `r·p` and the sum are float64, rounded once into the float32 gradient. */
function addScaledWide32(g: Float32Array, p: Float32Array, start: number, end: number, r: number): void {
  for (let i = start; i < end; i++) g[i] = Math.fround(g[i]! + r * p[i]!);
}

function addScaled64(g: Float64Array, p: Float64Array, start: number, end: number, r: number): void {
  for (let i = start; i < end; i++) g[i] = g[i]! + r * p[i]!;
}

// ---------------------------------------------------------------- g ← g·D(r) (LARS; also the reductions' scale)

export function scale32(g: Float32Array, start: number, end: number, r: number): void {
  if (wideForF32(r)) {
    for (let i = start; i < end; i++) g[i] = Math.fround(g[i]! * r);
  } else {
    const rD = Math.fround(r);
    for (let i = start; i < end; i++) g[i] = Math.fround(g[i]! * rD);
  }
}

export function scale64(g: Float64Array, start: number, end: number, r: number): void {
  for (let i = start; i < end; i++) g[i] = g[i]! * r;
}

// ---------------------------------------------------------------- Lasso

// numpy.sign: -1, +1, +0 for either zero, NaN for NaN (the data's own dtype, exact in any dtype).
function lasso32(g: Float32Array, p: Float32Array, start: number, end: number, r: number): void {
  const rD = Math.fround(r);
  for (let i = start; i < end; i++) {
    const x = p[i]!;
    const s = x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x;
    g[i] = Math.fround(g[i]! + Math.fround(rD * s));
  }
}

function lassoWide32(g: Float32Array, p: Float32Array, start: number, end: number, r: number): void {
  for (let i = start; i < end; i++) {
    const x = p[i]!;
    const s = x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x;
    g[i] = Math.fround(g[i]! + r * s);
  }
}

function lasso64(g: Float64Array, p: Float64Array, start: number, end: number, r: number): void {
  for (let i = start; i < end; i++) {
    const x = p[i]!;
    const s = x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x;
    g[i] = g[i]! + r * s;
  }
}

// ---------------------------------------------------------------- GradientHardClipping

// numpy.clip(g, lo, hi) = minimum(maximum(g, lo), hi): NaN-propagating, `lo > hi` gives hi. An absent
// bound is passed as NaN with its flag off. The bounds come already converted to the operation's dtype.
function clipLoop32(g: Float32Array, start: number, end: number, hasLo: boolean, lo: number, hasHi: boolean, hi: number): void {
  for (let i = start; i < end; i++) {
    let x = g[i]!;
    if (hasLo) x = x !== x ? x : lo !== lo ? lo : x >= lo ? x : lo;
    if (hasHi) x = x !== x ? x : hi !== hi ? hi : x <= hi ? x : hi;
    g[i] = Math.fround(x);
  }
}

function clipLoop64(g: Float64Array, start: number, end: number, hasLo: boolean, lo: number, hasHi: boolean, hi: number): void {
  for (let i = start; i < end; i++) {
    let x = g[i]!;
    if (hasLo) x = x !== x ? x : lo !== lo ? lo : x >= lo ? x : lo;
    if (hasHi) x = x !== x ? x : hi !== hi ? hi : x <= hi ? x : hi;
    g[i] = x;
  }
}

// ---------------------------------------------------------------- GradientNoise

function addNoise32(g: Float32Array, n: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) g[i] = Math.fround(g[i]! + n[i]!);
}

function addNoise64(g: Float64Array, n: Float64Array, start: number, end: number): void {
  for (let i = start; i < end; i++) g[i] = g[i]! + n[i]!;
}

// ---------------------------------------------------------------- kernels

export const weightDecayKernel: HookKernel<JsBuffer> = {
  apply(dtype: Dtype, bufs: HookBufs, segments: readonly HookSegment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      validate(segments, limitOf([p, g]), "WeightDecay", ["rate"]);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const r = seg.scalars["rate"] as number;
        if (wideForF32(r)) addScaledWide32(g, p, seg.offset, seg.offset + seg.length, r);
        else addScaled32(g, p, seg.offset, seg.offset + seg.length, r);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      validate(segments, limitOf([p, g]), "WeightDecay", ["rate"]);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        addScaled64(g, p, seg.offset, seg.offset + seg.length, seg.scalars["rate"] as number);
      }
    } else noDtype(dtype, "WeightDecay");
  },
};

export const lassoKernel: HookKernel<JsBuffer> = {
  apply(dtype: Dtype, bufs: HookBufs, segments: readonly HookSegment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      validate(segments, limitOf([p, g]), "Lasso", ["rate"]);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const r = seg.scalars["rate"] as number;
        if (wideForF32(r)) lassoWide32(g, p, seg.offset, seg.offset + seg.length, r);
        else lasso32(g, p, seg.offset, seg.offset + seg.length, r);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      validate(segments, limitOf([p, g]), "Lasso", ["rate"]);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        lasso64(g, p, seg.offset, seg.offset + seg.length, seg.scalars["rate"] as number);
      }
    } else noDtype(dtype, "Lasso");
  },
};

export const gradientHardClippingKernel: HookKernel<JsBuffer> = {
  apply(dtype: Dtype, bufs: HookBufs, segments: readonly HookSegment[]): void {
    if (dtype === "float32") {
      const g = asF32(bufs.grad, "grad");
      validate(segments, g.length, "GradientHardClipping", []);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const lo = nullableScalar(seg, "lower");
        const hi = nullableScalar(seg, "upper");
        // One bound beyond float32's range makes the whole clip float64 (the other bound unrounded).
        const wide = (lo !== null && wideForF32(lo)) || (hi !== null && wideForF32(hi));
        const loD = lo === null ? NaN : wide ? lo : Math.fround(lo);
        const hiD = hi === null ? NaN : wide ? hi : Math.fround(hi);
        clipLoop32(g, seg.offset, seg.offset + seg.length, lo !== null, loD, hi !== null, hiD);
      }
    } else if (dtype === "float64") {
      const g = asF64(bufs.grad, "grad");
      validate(segments, g.length, "GradientHardClipping", []);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const lo = nullableScalar(seg, "lower");
        const hi = nullableScalar(seg, "upper");
        clipLoop64(g, seg.offset, seg.offset + seg.length, lo !== null, lo ?? NaN, hi !== null, hi ?? NaN);
      }
    } else noDtype(dtype, "GradientHardClipping");
  },
};

export const gradientNoiseKernel: HookKernel<JsBuffer> = {
  apply(dtype: Dtype, bufs: HookBufs, segments: readonly HookSegment[]): void {
    if (bufs.noise === undefined) throw new TypeError("js backend: GradientNoise needs a noise buffer");
    if (dtype === "float32") {
      const g = asF32(bufs.grad, "grad");
      const n = asF32(bufs.noise, "noise");
      validate(segments, limitOf([g, n]), "GradientNoise", []);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        addNoise32(g, n, seg.offset, seg.offset + seg.length);
      }
    } else if (dtype === "float64") {
      const g = asF64(bufs.grad, "grad");
      const n = asF64(bufs.noise, "noise");
      validate(segments, limitOf([g, n]), "GradientNoise", []);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        addNoise64(g, n, seg.offset, seg.offset + seg.length);
      }
    } else noDtype(dtype, "GradientNoise");
  },
};

export const gradientLarsKernel: HookKernel<JsBuffer> = {
  apply(dtype: Dtype, bufs: HookBufs, segments: readonly HookSegment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      validate(segments, limitOf([p, g]), "GradientLARS", ["weight_decay", "rate"]);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const wd = seg.scalars["weight_decay"] as number;
        const end = seg.offset + seg.length;
        if (wideForF32(wd)) addScaledWide32(g, p, seg.offset, end, wd);
        else addScaled32(g, p, seg.offset, end, wd);
        scale32(g, seg.offset, end, seg.scalars["rate"] as number);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      validate(segments, limitOf([p, g]), "GradientLARS", ["weight_decay", "rate"]);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const end = seg.offset + seg.length;
        addScaled64(g, p, seg.offset, end, seg.scalars["weight_decay"] as number);
        scale64(g, seg.offset, end, seg.scalars["rate"] as number);
      }
    } else noDtype(dtype, "GradientLARS");
  },
};

export const jsHooks: Readonly<Record<string, HookKernel<JsBuffer>>> = {
  WeightDecay: weightDecayKernel,
  Lasso: lassoKernel,
  GradientHardClipping: gradientHardClippingKernel,
  GradientNoise: gradientNoiseKernel,
  GradientLARS: gradientLarsKernel,
};
