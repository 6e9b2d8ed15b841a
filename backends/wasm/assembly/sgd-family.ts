/**
 * SGD, MomentumSGD, CorrectedMomentumSGD and NesterovAG: the JS backend's loops (`backends/js/`)
 * with the same operations in the same order, T lanes at a time and a scalar tail. Wasm's f32/f64
 * add, sub, mul, div and sqrt are correctly rounded, lane by lane, and nothing is fused, so each
 * lane equals the spec's numpy result.
 */
import { lanes, rowAt, rowByteOffset, rowLength, scalar } from "./table";

/** `p ← p − D(lr)·g` (`sgd.update`). Row scalars: lr. */
@inline export function sgd<T>(p: usize, g: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const lr = <T>scalar(row, 0);
    const vlr = v128.splat<T>(lr);
    const pp = p + base;
    const gp = g + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      v128.store(pp + o, v128.sub<T>(v128.load(pp + o), v128.mul<T>(vlr, v128.load(gp + o))));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      store<T>(pp + o, load<T>(pp + o) - lr * load<T>(gp + o));
    }
  }
}

/** `v ← v·D(μ) − D(lr)·g; p ← p + v` (`momentum-sgd.update`). Row scalars: lr, momentum. */
@inline export function momentumSgd<T>(p: usize, g: usize, v: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const lr = <T>scalar(row, 0);
    const mu = <T>scalar(row, 1);
    const vlr = v128.splat<T>(lr);
    const vmu = v128.splat<T>(mu);
    const pp = p + base;
    const gp = g + base;
    const vp = v + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const vi = v128.sub<T>(v128.mul<T>(v128.load(vp + o), vmu), v128.mul<T>(vlr, v128.load(gp + o)));
      v128.store(vp + o, vi);
      v128.store(pp + o, v128.add<T>(v128.load(pp + o), vi));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const vi: T = load<T>(vp + o) * mu - lr * load<T>(gp + o);
      store<T>(vp + o, vi);
      store<T>(pp + o, load<T>(pp + o) + vi);
    }
  }
}

/** `v ← v·D(μ) − g; p ← p + D(lr)·v` (`corrected-momentum-sgd.update`). Row scalars: lr, momentum. */
@inline export function correctedMomentumSgd<T>(p: usize, g: usize, v: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const lr = <T>scalar(row, 0);
    const mu = <T>scalar(row, 1);
    const vlr = v128.splat<T>(lr);
    const vmu = v128.splat<T>(mu);
    const pp = p + base;
    const gp = g + base;
    const vp = v + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const vi = v128.sub<T>(v128.mul<T>(v128.load(vp + o), vmu), v128.load(gp + o));
      v128.store(vp + o, vi);
      v128.store(pp + o, v128.add<T>(v128.load(pp + o), v128.mul<T>(vlr, vi)));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const vi: T = load<T>(vp + o) * mu - load<T>(gp + o);
      store<T>(vp + o, vi);
      store<T>(pp + o, load<T>(pp + o) + lr * vi);
    }
  }
}

/**
 * `v ← v·D(μ) − D(lr)·g; p ← p + D(μ²)·v; p ← p − D((1+μ)·lr)·g` (`nesterov-ag.update`).
 * Row scalars: lr, momentum, μ·μ and (1+μ)·lr (both computed in float64 by the host).
 */
@inline export function nesterovAg<T>(p: usize, g: usize, v: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const lr = <T>scalar(row, 0);
    const mu = <T>scalar(row, 1);
    const mu2 = <T>scalar(row, 2);
    const clr = <T>scalar(row, 3);
    const vlr = v128.splat<T>(lr);
    const vmu = v128.splat<T>(mu);
    const vmu2 = v128.splat<T>(mu2);
    const vclr = v128.splat<T>(clr);
    const pp = p + base;
    const gp = g + base;
    const vp = v + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const gi = v128.load(gp + o);
      const vi = v128.sub<T>(v128.mul<T>(v128.load(vp + o), vmu), v128.mul<T>(vlr, gi));
      v128.store(vp + o, vi);
      const pi = v128.add<T>(v128.load(pp + o), v128.mul<T>(vmu2, vi));
      v128.store(pp + o, v128.sub<T>(pi, v128.mul<T>(vclr, gi)));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const gi = load<T>(gp + o);
      const vi: T = load<T>(vp + o) * mu - lr * gi;
      store<T>(vp + o, vi);
      const pi: T = load<T>(pp + o) + mu2 * vi;
      store<T>(pp + o, pi - clr * gi);
    }
  }
}
