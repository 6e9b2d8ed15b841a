/**
 * MSVAG (`msvag.update`). numpy builds temporaries (mt, vt, mt2, s, f); here each element is
 * computed in registers with the same roundings (each operation rounded to D):
 *
 *   m ← m + D(1−beta)·(g − m);  v ← v + D(1−beta)·((g·g) − v)
 *   mt = m / D(1−bp);  vt = v / D(1−bp);  mt2 = mt·mt
 *   s = (vt − mt2) / D(1−rho)
 *   f = clip(mt2 / (mt2 + D(rho)·s), 0, 1), NaN → +0
 *   p ← p − D(eta)·(((D(lr)·mt)·f) + (D(weight_decay_rate)·p))
 *
 * `rho` comes from the spec's `msvagRho(beta, beta_power)` (which raises where Python raises).
 * Advancing `beta_power` is the spec's job, not the kernel's.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { MSVAG, msvagRho } from "../../../spec/optimizers/msvag.js";
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

interface MsvagScalars {
  /** `1 − beta` */
  readonly c: number;
  /** `1 − beta_power` */
  readonly cbp: number;
  readonly rho: number;
  /** `1 − rho` */
  readonly crho: number;
  readonly eta: number;
  readonly lr: number;
  readonly wdr: number;
}

function scalars(seg: Segment): MsvagScalars {
  const beta = num(seg.hp, "beta");
  const bp = seg.extras["beta_power"];
  if (bp === undefined) throw new TypeError("js backend: MSVAG needs extras.beta_power");
  const rho = msvagRho(beta, bp);
  return {
    c: 1 - beta,
    cbp: 1 - bp,
    rho,
    crho: 1 - rho,
    eta: num(seg.hp, "eta"),
    lr: num(seg.hp, "lr"),
    wdr: num(seg.hp, "weight_decay_rate"),
  };
}

function anyWide(s: MsvagScalars): boolean {
  return wideForF32(s.c) || wideForF32(s.cbp) || wideForF32(s.rho) || wideForF32(s.crho) || wideForF32(s.eta) || wideForF32(s.lr) || wideForF32(s.wdr);
}

function msvag32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, start: number, end: number, s: MsvagScalars): void {
  const c = Math.fround(s.c);
  const cbp = Math.fround(s.cbp);
  const rho = Math.fround(s.rho);
  const crho = Math.fround(s.crho);
  const eta = Math.fround(s.eta);
  const lr = Math.fround(s.lr);
  const wdr = Math.fround(s.wdr);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    let mi = m[i]!;
    let vi = v[i]!;
    mi = Math.fround(mi + Math.fround(c * Math.fround(gi - mi)));
    vi = Math.fround(vi + Math.fround(c * Math.fround(Math.fround(gi * gi) - vi)));
    m[i] = mi;
    v[i] = vi;
    const mt = Math.fround(mi / cbp);
    const vt = Math.fround(vi / cbp);
    const mt2 = Math.fround(mt * mt);
    const sv = Math.fround(Math.fround(vt - mt2) / crho);
    const q = Math.fround(mt2 / Math.fround(mt2 + Math.fround(rho * sv)));
    // clip(q, 0, 1) = minimum(maximum(q, 0), 1) keeps NaN, which then becomes +0.
    const f = q !== q ? 0 : q >= 0 ? (q <= 1 ? q : 1) : 0;
    const pi = p[i]!;
    const rhs = Math.fround(eta * Math.fround(Math.fround(Math.fround(lr * mt) * f) + Math.fround(wdr * pi)));
    p[i] = Math.fround(pi - rhs);
  }
}

function msvag64(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, start: number, end: number, s: MsvagScalars): void {
  const c = s.c;
  const cbp = s.cbp;
  const rho = s.rho;
  const crho = s.crho;
  const eta = s.eta;
  const lr = s.lr;
  const wdr = s.wdr;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    let mi = m[i]!;
    let vi = v[i]!;
    mi = mi + c * (gi - mi);
    vi = vi + c * (gi * gi - vi);
    m[i] = mi;
    v[i] = vi;
    const mt = mi / cbp;
    const vt = vi / cbp;
    const mt2 = mt * mt;
    const sv = (vt - mt2) / crho;
    const q = mt2 / (mt2 + rho * sv);
    const f = q !== q ? 0 : q >= 0 ? (q <= 1 ? q : 1) : 0;
    const pi = p[i]!;
    p[i] = pi - eta * (lr * mt * f + wdr * pi);
  }
}

export const msvagKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const m = asF32(stateBuf(bufs, "m"), "state m");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, m, v]);
        const s = scalars(seg);
        if (anyWide(s)) specUpdateSegment(MSVAG, dtype, bufs, seg);
        else msvag32(p, g, m, v, seg.offset, seg.offset + seg.length, s);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const m = asF64(stateBuf(bufs, "m"), "state m");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, m, v]);
        msvag64(p, g, m, v, seg.offset, seg.offset + seg.length, scalars(seg));
      }
    } else {
      throw new TypeError(`js backend: MSVAG does not compute ${dtype}`);
    }
  },
};
