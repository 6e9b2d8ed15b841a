/**
 * The AdamRule kernel, serving Adam, AdamW, AMSGrad, AdaBound and AMSBound (flags from the
 * segment's hyperparameters), in the CPU order of `adam.update.*` (I = D for float32/float64):
 *
 *   m ← m + D(1−beta1)·(g − m)
 *   v ← v + D(1−beta2)·((g·g) − v)
 *   amsgrad: vhat ← maximum(vhat, v) (NaN-propagating), u = vhat; else u = v
 *   step = D(alpha_t) / (sqrt(u) + D(eps))
 *   adabound: step = clip(step, D(lower), D(upper))
 *   y = step·m
 *   a = 1 − eta·weight_decay_rate; a == 1: p ← p + D(−eta)·y; else p ← D(a)·p + D(−eta)·y
 *
 * every operation rounded to D. The Python-float scalars come from the spec's `alphaT` and
 * `adaBoundBounds`, once per segment.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num, truthy } from "../../../spec/hyperparam.js";
import { Adam, adaBoundBounds, alphaT } from "../../../spec/optimizers/adam.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

/**
 * Scalars per segment (Python floats in float64, not yet rounded to D): 1−beta1, 1−beta2, alpha_t,
 * eps, lower, upper, a = 1 − eta·weight_decay_rate, b = −eta; flags amsgrad, adabound, a ≠ 1, wide.
 */
const S = 12;
const scratch = new Scratch();

// alpha_t costs two correctly rounded powers; consecutive segments of one model usually share
// (alpha, beta1, beta2, t), so the last value is kept (Object.is: ±0 and NaN inputs keyed exactly).
let memoAlpha = NaN;
let memoBeta1 = NaN;
let memoBeta2 = NaN;
let memoT = -1;
let memoAlphaT = NaN;

function alphaTOf(hp: Segment["hp"], t: number): number {
  const alpha = num(hp, "alpha");
  const beta1 = num(hp, "beta1");
  const beta2 = num(hp, "beta2");
  if (t !== memoT || !Object.is(alpha, memoAlpha) || !Object.is(beta1, memoBeta1) || !Object.is(beta2, memoBeta2)) {
    memoAlphaT = alphaT(hp, t);
    memoAlpha = alpha;
    memoBeta1 = beta1;
    memoBeta2 = beta2;
    memoT = t;
  }
  return memoAlphaT;
}

function prepare(segments: readonly Segment[], limit: number, f32: boolean, hasVhat: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const hp = seg.hp;
    const eps = num(hp, "eps");
    if (f32 && eps !== 0 && Math.fround(eps) === 0) {
      throw new RangeError(`js backend: eps of Adam optimizer is too small for float32 (${eps}); the spec raises here`);
    }
    const amsgrad = truthy(hp, "amsgrad");
    if (amsgrad && !hasVhat) throw new TypeError("js backend: amsgrad is on but there is no state buffer vhat");
    const adabound = truthy(hp, "adabound");
    let lower = 0;
    let upper = 0;
    if (adabound) {
      const initialAlpha = seg.extras["initial_alpha"];
      if (initialAlpha === undefined) throw new TypeError("js backend: AdaBound needs extras.initial_alpha");
      [lower, upper] = adaBoundBounds(hp, seg.t, initialAlpha);
    }
    const eta = num(hp, "eta");
    const a = 1.0 - eta * num(hp, "weight_decay_rate");
    const o = k * S;
    sc[o] = 1 - num(hp, "beta1");
    sc[o + 1] = 1 - num(hp, "beta2");
    sc[o + 2] = alphaTOf(hp, seg.t);
    sc[o + 3] = eps;
    sc[o + 4] = lower;
    sc[o + 5] = upper;
    sc[o + 6] = a;
    sc[o + 7] = -eta;
    sc[o + 8] = amsgrad ? 1 : 0;
    sc[o + 9] = adabound ? 1 : 0;
    sc[o + 10] = a !== 1 ? 1 : 0;
    const wide =
      f32 &&
      (wideForF32(sc[o]!) ||
        wideForF32(sc[o + 1]!) ||
        wideForF32(sc[o + 2]!) ||
        wideForF32(eps) ||
        (adabound && (wideForF32(lower) || wideForF32(upper))) ||
        (a !== 1 && wideForF32(a)) ||
        wideForF32(-eta));
    sc[o + 11] = wide ? 1 : 0;
  }
  return sc;
}

function adam32(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vhat: Float32Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const c1 = Math.fround(sc[o]!);
  const c2 = Math.fround(sc[o + 1]!);
  const at = Math.fround(sc[o + 2]!);
  const eps = Math.fround(sc[o + 3]!);
  const lo = Math.fround(sc[o + 4]!);
  const hi = Math.fround(sc[o + 5]!);
  const a = Math.fround(sc[o + 6]!);
  const b = Math.fround(sc[o + 7]!);
  const ams = sc[o + 8] === 1;
  const bound = sc[o + 9] === 1;
  const decay = sc[o + 10] === 1;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    let mi = m[i]!;
    let vi = v[i]!;
    mi = Math.fround(mi + Math.fround(c1 * Math.fround(gi - mi)));
    vi = Math.fround(vi + Math.fround(c2 * Math.fround(Math.fround(gi * gi) - vi)));
    m[i] = mi;
    v[i] = vi;
    let u = vi;
    if (ams) {
      const h = vhat[i]!;
      // numpy.maximum(vhat, v): the first NaN operand, else the larger (the first on ties).
      u = h !== h ? h : vi !== vi ? vi : h >= vi ? h : vi;
      vhat[i] = u;
    }
    let step = Math.fround(at / Math.fround(Math.fround(Math.sqrt(u)) + eps));
    if (bound) {
      // numpy.clip(step, lo, hi) = minimum(maximum(step, lo), hi), NaN-propagating.
      step = step !== step ? step : lo !== lo ? lo : step >= lo ? step : lo;
      step = step !== step ? step : hi !== hi ? hi : step <= hi ? step : hi;
    }
    const y = Math.fround(step * mi);
    const pi = p[i]!;
    p[i] = decay ? Math.fround(Math.fround(a * pi) + Math.fround(b * y)) : Math.fround(pi + Math.fround(b * y));
  }
}

function adam64(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  vhat: Float64Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const c1 = sc[o]!;
  const c2 = sc[o + 1]!;
  const at = sc[o + 2]!;
  const eps = sc[o + 3]!;
  const lo = sc[o + 4]!;
  const hi = sc[o + 5]!;
  const a = sc[o + 6]!;
  const b = sc[o + 7]!;
  const ams = sc[o + 8] === 1;
  const bound = sc[o + 9] === 1;
  const decay = sc[o + 10] === 1;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    let mi = m[i]!;
    let vi = v[i]!;
    mi = mi + c1 * (gi - mi);
    vi = vi + c2 * (gi * gi - vi);
    m[i] = mi;
    v[i] = vi;
    let u = vi;
    if (ams) {
      const h = vhat[i]!;
      u = h !== h ? h : vi !== vi ? vi : h >= vi ? h : vi;
      vhat[i] = u;
    }
    let step = at / (Math.sqrt(u) + eps);
    if (bound) {
      step = step !== step ? step : lo !== lo ? lo : step >= lo ? step : lo;
      step = step !== step ? step : hi !== hi ? hi : step <= hi ? step : hi;
    }
    const y = step * mi;
    const pi = p[i]!;
    p[i] = decay ? a * pi + b * y : pi + b * y;
  }
}

export const adamKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    const vh = bufs.state["vhat"];
    if (isFloat32(dtype, "Adam")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const m = asF32(stateBuf(bufs, "m"), "state m");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      // Segments without amsgrad never touch vhat; m stands in so that the loop stays monomorphic.
      const vhat = vh === undefined ? m : asF32(vh, "state vhat");
      const sc = prepare(segments, limitOf([p, g, m, v, vhat]), true, vh !== undefined);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 11] === 1) specUpdateSegment(Adam, dtype, bufs, seg);
        else adam32(p, g, m, v, vhat, seg.offset, seg.offset + seg.length, sc, k * S);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const m = asF64(stateBuf(bufs, "m"), "state m");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      const vhat = vh === undefined ? m : asF64(vh, "state vhat");
      const sc = prepare(segments, limitOf([p, g, m, v, vhat]), false, vh !== undefined);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        adam64(p, g, m, v, vhat, seg.offset, seg.offset + seg.length, sc, k * S);
      }
    }
  },
};
