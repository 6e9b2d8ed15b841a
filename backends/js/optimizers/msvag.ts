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
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

/** Scalars per segment: 1−beta, 1−bp, rho, 1−rho, eta, lr, weight_decay_rate, wide. */
const S = 8;
const scratch = new Scratch();

// rho costs four correctly rounded powers; consecutive segments usually share (beta, beta_power).
let memoBeta = NaN;
let memoBp = NaN;
let memoRho = NaN;
let memoValid = false;

function rhoOf(beta: number, bp: number): number {
  if (!memoValid || !Object.is(beta, memoBeta) || !Object.is(bp, memoBp)) {
    memoValid = false;
    memoRho = msvagRho(beta, bp); // raises (ZeroDivision, Overflow) where Python raises
    memoBeta = beta;
    memoBp = bp;
    memoValid = true;
  }
  return memoRho;
}

function msvag32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, start: number, end: number, sc: Float64Array, o: number): void {
  const c = Math.fround(sc[o]!);
  const cbp = Math.fround(sc[o + 1]!);
  const rho = Math.fround(sc[o + 2]!);
  const crho = Math.fround(sc[o + 3]!);
  const eta = Math.fround(sc[o + 4]!);
  const lr = Math.fround(sc[o + 5]!);
  const wdr = Math.fround(sc[o + 6]!);
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

function msvag64(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, start: number, end: number, sc: Float64Array, o: number): void {
  const c = sc[o]!;
  const cbp = sc[o + 1]!;
  const rho = sc[o + 2]!;
  const crho = sc[o + 3]!;
  const eta = sc[o + 4]!;
  const lr = sc[o + 5]!;
  const wdr = sc[o + 6]!;
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

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const beta = num(seg.hp, "beta");
    const bp = seg.extras["beta_power"];
    if (bp === undefined) throw new TypeError("js backend: MSVAG needs extras.beta_power");
    const rho = rhoOf(beta, bp);
    const o = k * S;
    sc[o] = 1 - beta;
    sc[o + 1] = 1 - bp;
    sc[o + 2] = rho;
    sc[o + 3] = 1 - rho;
    sc[o + 4] = num(seg.hp, "eta");
    sc[o + 5] = num(seg.hp, "lr");
    sc[o + 6] = num(seg.hp, "weight_decay_rate");
    let wide = false;
    if (f32) for (let j = 0; j < 7; j++) wide = wide || wideForF32(sc[o + j]!);
    sc[o + 7] = wide ? 1 : 0;
  }
  return sc;
}

export const msvagKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "MSVAG")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const m = asF32(stateBuf(bufs, "m"), "state m");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      const sc = prepare(segments, limitOf([p, g, m, v]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 7] === 1) specUpdateSegment(MSVAG, dtype, bufs, seg);
        else msvag32(p, g, m, v, seg.offset, seg.offset + seg.length, sc, k * S);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const m = asF64(stateBuf(bufs, "m"), "state m");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      const sc = prepare(segments, limitOf([p, g, m, v]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        msvag64(p, g, m, v, seg.offset, seg.offset + seg.length, sc, k * S);
      }
    }
  },
};
