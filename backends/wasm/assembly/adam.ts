/**
 * The AdamRule kernel (Adam, AdamW, AMSGrad, AdaBound, AMSBound), in the CPU order of
 * `adam.update.*`, every operation rounded to T:
 *
 *   m ← m + D(1−β1)·(g − m);  v ← v + D(1−β2)·((g·g) − v)
 *   amsgrad: vhat ← maximum(vhat, v); u = vhat, else u = v
 *   step = D(alpha_t) / (sqrt(u) + D(eps));  adabound: step = clip(step, D(lower), D(upper))
 *   y = step·m;  p ← p + D(−eta)·y, or p ← D(a)·p + D(−eta)·y when a = 1 − eta·wdr ≠ 1
 *
 * Row scalars (the declared order of `ADAM_KERNEL_SCALARS`): c1 = 1−β1, c2 = 1−β2, alpha_t, eps,
 * amsgrad, adabound, lower, upper, decay (a ≠ 1), a = 1 − eta·wdr, b = −eta.
 * The three flags are specialised at compile time (inlined with constant arguments), so the
 * plain Adam loop carries no branch.
 */
import { lanes, rowAt, rowByteOffset, rowLength, scalar } from "./table";
import { sminimum, smaximum, vmaximum, vminimum } from "./numpy-lanes";

/** One vector of lanes at the given element pointers. */
@inline function adamLanes<T>(
  p: usize, g: usize, m: usize, v: usize, vhat: usize,
  vc1: v128, vc2: v128, vat: v128, veps: v128, vlo: v128, vhi: v128, va: v128, vb: v128,
  ams: bool, bound: bool, decay: bool,
): void {
  const gi = v128.load(g);
  let mi = v128.load(m);
  let vi = v128.load(v);
  mi = v128.add<T>(mi, v128.mul<T>(vc1, v128.sub<T>(gi, mi)));
  vi = v128.add<T>(vi, v128.mul<T>(vc2, v128.sub<T>(v128.mul<T>(gi, gi), vi)));
  v128.store(m, mi);
  v128.store(v, vi);
  let u = vi;
  if (ams) {
    u = vmaximum<T>(v128.load(vhat), vi);
    v128.store(vhat, u);
  }
  let step = v128.div<T>(vat, v128.add<T>(v128.sqrt<T>(u), veps));
  if (bound) step = vminimum<T>(vmaximum<T>(step, vlo), vhi);
  const y = v128.mul<T>(step, mi);
  const pi = v128.load(p);
  const by = v128.mul<T>(vb, y);
  v128.store(p, decay ? v128.add<T>(v128.mul<T>(va, pi), by) : v128.add<T>(pi, by));
}

@inline function adamSegment<T>(
  p: usize, g: usize, m: usize, v: usize, vhat: usize, n: i32, row: usize,
  ams: bool, bound: bool, decay: bool,
): void {
  const c1 = <T>scalar(row, 0);
  const c2 = <T>scalar(row, 1);
  const at = <T>scalar(row, 2);
  const eps = <T>scalar(row, 3);
  const lo = <T>scalar(row, 6);
  const hi = <T>scalar(row, 7);
  const a = <T>scalar(row, 9);
  const b = <T>scalar(row, 10);
  const vc1 = v128.splat<T>(c1);
  const vc2 = v128.splat<T>(c2);
  const vat = v128.splat<T>(at);
  const veps = v128.splat<T>(eps);
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const va = v128.splat<T>(a);
  const vb = v128.splat<T>(b);
  const nv = n & ~(lanes<T>() - 1);
  // Two vectors per iteration (independent lanes, so the order of elements is irrelevant to the
  // result): fewer loop branches around the divider-bound body.
  const nv2 = n & ~(2 * lanes<T>() - 1);
  let i = 0;
  for (; i < nv2; i += 2 * lanes<T>()) {
    const o = <usize>i * sizeof<T>();
    adamLanes<T>(p + o, g + o, m + o, v + o, vhat + o, vc1, vc2, vat, veps, vlo, vhi, va, vb, ams, bound, decay);
    adamLanes<T>(p + o + 16, g + o + 16, m + o + 16, v + o + 16, vhat + o + 16, vc1, vc2, vat, veps, vlo, vhi, va, vb, ams, bound, decay);
  }
  for (; i < nv; i += lanes<T>()) {
    const o = <usize>i * sizeof<T>();
    adamLanes<T>(p + o, g + o, m + o, v + o, vhat + o, vc1, vc2, vat, veps, vlo, vhi, va, vb, ams, bound, decay);
  }
  for (; i < n; i++) {
    const o = <usize>i * sizeof<T>();
    const gi = load<T>(g + o);
    let mi = load<T>(m + o);
    let vi = load<T>(v + o);
    mi = mi + c1 * (gi - mi);
    vi = vi + c2 * (gi * gi - vi);
    store<T>(m + o, mi);
    store<T>(v + o, vi);
    let u = vi;
    if (ams) {
      u = smaximum<T>(load<T>(vhat + o), vi);
      store<T>(vhat + o, u);
    }
    let step: T = at / (sqrt<T>(u) + eps);
    if (bound) step = sminimum<T>(smaximum<T>(step, lo), hi);
    const y: T = step * mi;
    const pi = load<T>(p + o);
    store<T>(p + o, decay ? a * pi + b * y : pi + b * y);
  }
}

@inline export function adam<T>(p: usize, g: usize, m: usize, v: usize, vhat: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const ams = scalar(row, 4) != 0;
    const bound = scalar(row, 5) != 0;
    const decay = scalar(row, 8) != 0;
    const pp = p + base;
    const gp = g + base;
    const mp = m + base;
    const vp = v + base;
    const hp = vhat + base;
    if (!ams && !bound) {
      if (decay) adamSegment<T>(pp, gp, mp, vp, hp, n, row, false, false, true);
      else adamSegment<T>(pp, gp, mp, vp, hp, n, row, false, false, false);
    } else if (ams && !bound) {
      if (decay) adamSegment<T>(pp, gp, mp, vp, hp, n, row, true, false, true);
      else adamSegment<T>(pp, gp, mp, vp, hp, n, row, true, false, false);
    } else if (!ams) {
      if (decay) adamSegment<T>(pp, gp, mp, vp, hp, n, row, false, true, true);
      else adamSegment<T>(pp, gp, mp, vp, hp, n, row, false, true, false);
    } else {
      if (decay) adamSegment<T>(pp, gp, mp, vp, hp, n, row, true, true, true);
      else adamSegment<T>(pp, gp, mp, vp, hp, n, row, true, true, false);
    }
  }
}
