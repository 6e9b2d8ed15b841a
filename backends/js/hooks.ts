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
import { BUILTIN_HOOKS } from "../../spec/hooks/index.js";
import { type JsBuffer, wideForF32 } from "./memory.js";
import { jsHookKernel } from "./hook-kernel.js";

/** A scalar the kernel skeleton has checked to be a number. */
const num = (seg: HookSegment, name: string): number => seg.scalars[name] as number;

function nullableScalar(seg: HookSegment, name: string): number | null {
  const v = seg.scalars[name];
  return v === undefined || v === null ? null : v;
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
function clipLoop32(
  g: Float32Array,
  start: number,
  end: number,
  hasLo: boolean,
  lo: number,
  hasHi: boolean,
  hi: number,
): void {
  for (let i = start; i < end; i++) {
    let x = g[i]!;
    if (hasLo) x = x !== x ? x : lo !== lo ? lo : x >= lo ? x : lo;
    if (hasHi) x = x !== x ? x : hi !== hi ? hi : x <= hi ? x : hi;
    g[i] = Math.fround(x);
  }
}

function clipLoop64(
  g: Float64Array,
  start: number,
  end: number,
  hasLo: boolean,
  lo: number,
  hasHi: boolean,
  hi: number,
): void {
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

// ---------------------------------------------------------------- kernels, by the hook kind's kernel name

export const jsHooks: Readonly<Record<string, HookKernel<JsBuffer>>> = {
  WeightDecay: jsHookKernel(
    BUILTIN_HOOKS.WeightDecay,
    (g, p, start, end, seg) => {
      const r = num(seg, "rate");
      if (wideForF32(r)) addScaledWide32(g, p, start, end, r);
      else addScaled32(g, p, start, end, r);
    },
    (g, p, start, end, seg) => addScaled64(g, p, start, end, num(seg, "rate")),
  ),
  Lasso: jsHookKernel(
    BUILTIN_HOOKS.Lasso,
    (g, p, start, end, seg) => {
      const r = num(seg, "rate");
      if (wideForF32(r)) lassoWide32(g, p, start, end, r);
      else lasso32(g, p, start, end, r);
    },
    (g, p, start, end, seg) => lasso64(g, p, start, end, num(seg, "rate")),
  ),
  GradientHardClipping: jsHookKernel(
    BUILTIN_HOOKS.GradientHardClipping,
    (g, _x, start, end, seg) => {
      const lo = nullableScalar(seg, "lower");
      const hi = nullableScalar(seg, "upper");
      // One bound beyond float32's range makes the whole clip float64 (the other bound unrounded).
      const wide = (lo !== null && wideForF32(lo)) || (hi !== null && wideForF32(hi));
      const loD = lo === null ? NaN : wide ? lo : Math.fround(lo);
      const hiD = hi === null ? NaN : wide ? hi : Math.fround(hi);
      clipLoop32(g, start, end, lo !== null, loD, hi !== null, hiD);
    },
    (g, _x, start, end, seg) => {
      const lo = nullableScalar(seg, "lower");
      const hi = nullableScalar(seg, "upper");
      clipLoop64(g, start, end, lo !== null, lo ?? NaN, hi !== null, hi ?? NaN);
    },
  ),
  GradientNoise: jsHookKernel(
    BUILTIN_HOOKS.GradientNoise,
    (g, n, start, end) => addNoise32(g, n, start, end),
    (g, n, start, end) => addNoise64(g, n, start, end),
  ),
  GradientLARS: jsHookKernel(
    BUILTIN_HOOKS.GradientLARS,
    (g, p, start, end, seg) => {
      const wd = num(seg, "weight_decay");
      if (wideForF32(wd)) addScaledWide32(g, p, start, end, wd);
      else addScaled32(g, p, start, end, wd);
      scale32(g, start, end, num(seg, "rate"));
    },
    (g, p, start, end, seg) => {
      addScaled64(g, p, start, end, num(seg, "weight_decay"));
      scale64(g, start, end, num(seg, "rate"));
    },
  ),
};
