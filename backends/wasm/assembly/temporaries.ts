/**
 * SMORMS3 and MSVAG, whose numpy code builds temporaries: each element is computed in registers
 * with the same roundings, T lanes at a time and a scalar tail (see `sgd-family.ts`).
 */
import { lanes, rowAt, rowByteOffset, rowLength, scalar } from "./table";
import { sminimum, vminimum } from "./numpy-lanes";

/**
 * SMORMS3 (`smorms3.update`): r = 1/(mem+1); g' = (1−r)·g + r·grad; g2' = (1−r)·g2 + (r·grad)·grad;
 * x = (g'·g') / (g2' + D(eps)); p ← p − (grad·minimum(x, D(lr))) / (sqrt(g2') + D(eps));
 * mem ← 1 + mem·(1 − x). Row: lr, eps.
 */
@inline export function smorms3<T>(p: usize, grad: usize, mem: usize, gs: usize, g2s: usize, tab: usize, count: i32): void {
  const one = <T>1;
  const vone = v128.splat<T>(one);
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const lr = <T>scalar(row, 0);
    const eps = <T>scalar(row, 1);
    const vlr = v128.splat<T>(lr);
    const veps = v128.splat<T>(eps);
    const pp = p + base;
    const rp = grad + base;
    const mp = mem + base;
    const ap = gs + base;
    const bp = g2s + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const gr = v128.load(rp + o);
      const m0 = v128.load(mp + o);
      const r = v128.div<T>(vone, v128.add<T>(m0, vone));
      const omr = v128.sub<T>(vone, r);
      const rg = v128.mul<T>(r, gr);
      const gn = v128.add<T>(v128.mul<T>(omr, v128.load(ap + o)), rg);
      const g2n = v128.add<T>(v128.mul<T>(omr, v128.load(bp + o)), v128.mul<T>(rg, gr));
      const x = v128.div<T>(v128.mul<T>(gn, gn), v128.add<T>(g2n, veps));
      const mn = vminimum<T>(x, vlr);
      const d = v128.div<T>(v128.mul<T>(gr, mn), v128.add<T>(v128.sqrt<T>(g2n), veps));
      v128.store(pp + o, v128.sub<T>(v128.load(pp + o), d));
      v128.store(mp + o, v128.add<T>(vone, v128.mul<T>(m0, v128.sub<T>(vone, x))));
      v128.store(ap + o, gn);
      v128.store(bp + o, g2n);
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const gr = load<T>(rp + o);
      const m0 = load<T>(mp + o);
      const r: T = one / (m0 + one);
      const omr: T = one - r;
      const rg: T = r * gr;
      const gn: T = omr * load<T>(ap + o) + rg;
      const g2n: T = omr * load<T>(bp + o) + rg * gr;
      const x: T = (gn * gn) / (g2n + eps);
      const mn = sminimum<T>(x, lr);
      store<T>(pp + o, load<T>(pp + o) - (gr * mn) / (sqrt<T>(g2n) + eps));
      store<T>(mp + o, one + m0 * (one - x));
      store<T>(ap + o, gn);
      store<T>(bp + o, g2n);
    }
  }
}

/**
 * MSVAG (`msvag.update`): m, v as Adam's with D(1−β); mt = m / D(1−bp); vt = v / D(1−bp);
 * mt2 = mt·mt; s = (vt − mt2) / D(1−ρ); f = clip(mt2 / (mt2 + D(ρ)·s), 0, 1) with NaN → +0;
 * p ← p − D(eta)·(((D(lr)·mt)·f) + D(wdr)·p). Row: 1−β, 1−bp, ρ, 1−ρ, eta, lr, wdr.
 */
@inline export function msvag<T>(p: usize, g: usize, m: usize, v: usize, tab: usize, count: i32): void {
  const vone = v128.splat<T>(<T>1);
  const vzero = v128.splat<T>(<T>0);
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const c = <T>scalar(row, 0);
    const cbp = <T>scalar(row, 1);
    const rho = <T>scalar(row, 2);
    const crho = <T>scalar(row, 3);
    const eta = <T>scalar(row, 4);
    const lr = <T>scalar(row, 5);
    const wdr = <T>scalar(row, 6);
    const vc = v128.splat<T>(c);
    const vcbp = v128.splat<T>(cbp);
    const vrho = v128.splat<T>(rho);
    const vcrho = v128.splat<T>(crho);
    const veta = v128.splat<T>(eta);
    const vlr = v128.splat<T>(lr);
    const vwdr = v128.splat<T>(wdr);
    const pp = p + base;
    const gp = g + base;
    const mp = m + base;
    const vp = v + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const gi = v128.load(gp + o);
      let mi = v128.load(mp + o);
      let vi = v128.load(vp + o);
      mi = v128.add<T>(mi, v128.mul<T>(vc, v128.sub<T>(gi, mi)));
      vi = v128.add<T>(vi, v128.mul<T>(vc, v128.sub<T>(v128.mul<T>(gi, gi), vi)));
      v128.store(mp + o, mi);
      v128.store(vp + o, vi);
      const mt = v128.div<T>(mi, vcbp);
      const vt = v128.div<T>(vi, vcbp);
      const mt2 = v128.mul<T>(mt, mt);
      const sv = v128.div<T>(v128.sub<T>(vt, mt2), vcrho);
      const q = v128.div<T>(mt2, v128.add<T>(mt2, v128.mul<T>(vrho, sv)));
      // q >= 0: minimum(q, 1); q < 0 or NaN: +0 (the NaN clip result is then replaced by 0).
      const f = v128.bitselect(v128.bitselect(q, vone, v128.le<T>(q, vone)), vzero, v128.ge<T>(q, vzero));
      const pi = v128.load(pp + o);
      const rhs = v128.mul<T>(veta, v128.add<T>(v128.mul<T>(v128.mul<T>(vlr, mt), f), v128.mul<T>(vwdr, pi)));
      v128.store(pp + o, v128.sub<T>(pi, rhs));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const gi = load<T>(gp + o);
      let mi = load<T>(mp + o);
      let vi = load<T>(vp + o);
      mi = mi + c * (gi - mi);
      vi = vi + c * (gi * gi - vi);
      store<T>(mp + o, mi);
      store<T>(vp + o, vi);
      const mt: T = mi / cbp;
      const vt: T = vi / cbp;
      const mt2: T = mt * mt;
      const sv: T = (vt - mt2) / crho;
      const q: T = mt2 / (mt2 + rho * sv);
      const f: T = q != q ? <T>0 : q >= <T>0 ? (q <= <T>1 ? q : <T>1) : <T>0;
      const pi = load<T>(pp + o);
      store<T>(pp + o, pi - eta * (lr * mt * f + wdr * pi));
    }
  }
}
