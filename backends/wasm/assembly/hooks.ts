/**
 * Per-parameter hook kernels: each rewrites `grad` in place over its segments, in the JS backend's
 * order of operations, T lanes at a time with a scalar tail. Segments whose scalars are beyond
 * float32's range (numpy 1.x computes those in float64) never reach these; the host runs them.
 */
import { lanes, rowAt, rowByteOffset, rowLength, scalar } from "./table";
import { sminimum, smaximum, vmaximum, vminimum } from "./numpy-lanes";

/**
 * `g ← g + D(wd)·p`, then, when `scaled`, `g ← g·D(rate)` (WeightDecay: `hooks.weight-decay`;
 * GradientLARS: `hooks.gradient-lars.apply`). Row: wd (or rate), rate.
 */
@inline function addScaledSegment<T>(g: usize, p: usize, n: i32, row: usize, scaled: bool): void {
  const wd = <T>scalar(row, 0);
  const rate = <T>scalar(row, 1);
  const vwd = v128.splat<T>(wd);
  const vrate = v128.splat<T>(rate);
  const nv = n & ~(lanes<T>() - 1);
  let i = 0;
  for (; i < nv; i += lanes<T>()) {
    const o = <usize>i * sizeof<T>();
    let x = v128.add<T>(v128.load(g + o), v128.mul<T>(vwd, v128.load(p + o)));
    if (scaled) x = v128.mul<T>(x, vrate);
    v128.store(g + o, x);
  }
  for (; i < n; i++) {
    const o = <usize>i * sizeof<T>();
    let x: T = load<T>(g + o) + wd * load<T>(p + o);
    if (scaled) x = x * rate;
    store<T>(g + o, x);
  }
}

@inline export function weightDecay<T>(g: usize, p: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    addScaledSegment<T>(g + base, p + base, rowLength(row), row, false);
  }
}

@inline export function gradientLars<T>(g: usize, p: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    addScaledSegment<T>(g + base, p + base, rowLength(row), row, true);
  }
}

/**
 * Lasso (`hooks.lasso`): `g ← g + D(rate)·sign(p)`, numpy's sign: ±1, +0 for either zero, NaN kept.
 * Row: rate.
 */
@inline export function lasso<T>(g: usize, p: usize, tab: usize, count: i32): void {
  const vone = v128.splat<T>(<T>1);
  const vmone = v128.splat<T>(<T>-1);
  const vzero = v128.splat<T>(<T>0);
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const rate = <T>scalar(row, 0);
    const vrate = v128.splat<T>(rate);
    const gp = g + base;
    const pp = p + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const x = v128.load(pp + o);
      let s = v128.bitselect(vone, x, v128.gt<T>(x, vzero));
      s = v128.bitselect(vmone, s, v128.lt<T>(x, vzero));
      s = v128.bitselect(vzero, s, v128.eq<T>(x, vzero));
      v128.store(gp + o, v128.add<T>(v128.load(gp + o), v128.mul<T>(vrate, s)));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const x = load<T>(pp + o);
      const s: T = x > <T>0 ? <T>1 : x < <T>0 ? <T>-1 : x == <T>0 ? <T>0 : x;
      store<T>(gp + o, load<T>(gp + o) + rate * s);
    }
  }
}

@inline function clipSegment<T>(g: usize, n: i32, row: usize, hasLo: bool, hasHi: bool): void {
  const lo = <T>scalar(row, 1);
  const hi = <T>scalar(row, 3);
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const nv = n & ~(lanes<T>() - 1);
  let i = 0;
  for (; i < nv; i += lanes<T>()) {
    const o = <usize>i * sizeof<T>();
    let x = v128.load(g + o);
    if (hasLo) x = vmaximum<T>(x, vlo);
    if (hasHi) x = vminimum<T>(x, vhi);
    v128.store(g + o, x);
  }
  for (; i < n; i++) {
    const o = <usize>i * sizeof<T>();
    let x = load<T>(g + o);
    if (hasLo) x = smaximum<T>(x, lo);
    if (hasHi) x = sminimum<T>(x, hi);
    store<T>(g + o, x);
  }
}

/**
 * GradientHardClipping (`hooks.gradient-hard-clipping`): `g ← minimum(maximum(g, D(lo)), D(hi))`,
 * either bound absent. Row: has lower, lower, has upper, upper.
 */
@inline export function hardClip<T>(g: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const gp = g + rowByteOffset<T>(row);
    const n = rowLength(row);
    const hasLo = scalar(row, 0) != 0;
    const hasHi = scalar(row, 2) != 0;
    if (hasLo && hasHi) clipSegment<T>(gp, n, row, true, true);
    else if (hasLo) clipSegment<T>(gp, n, row, true, false);
    else if (hasHi) clipSegment<T>(gp, n, row, false, true);
  }
}

/** GradientNoise (`hooks.gradient-noise`): `g ← g + noise`, noise laid out like grad. */
@inline export function addNoise<T>(g: usize, noise: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const gp = g + base;
    const np = noise + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      v128.store(gp + o, v128.add<T>(v128.load(gp + o), v128.load(np + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      store<T>(gp + o, load<T>(gp + o) + load<T>(np + o));
    }
  }
}
