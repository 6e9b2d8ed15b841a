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
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

/** The per-segment Python-float scalars, in float64 (not yet rounded to D). */
interface AdamScalars {
  readonly c1: number;
  readonly c2: number;
  readonly alphaT: number;
  readonly eps: number;
  readonly amsgrad: boolean;
  readonly adabound: boolean;
  readonly lower: number;
  readonly upper: number;
  /** `1 − eta·weight_decay_rate`. */
  readonly a: number;
  /** `−eta`. */
  readonly b: number;
}

function scalars(seg: Segment, dtype: Dtype): AdamScalars {
  const hp = seg.hp;
  const eps = num(hp, "eps");
  if (dtype === "float32" && eps !== 0 && Math.fround(eps) === 0) {
    throw new RangeError(`js backend: eps of Adam optimizer is too small for float32 (${eps}); the spec raises here`);
  }
  const adabound = truthy(hp, "adabound");
  let lower = 0;
  let upper = 0;
  if (adabound) {
    const initialAlpha = seg.extras["initial_alpha"];
    if (initialAlpha === undefined) throw new TypeError("js backend: AdaBound needs extras.initial_alpha");
    [lower, upper] = adaBoundBounds(hp, seg.t, initialAlpha);
  }
  const eta = num(hp, "eta");
  return {
    c1: 1 - num(hp, "beta1"),
    c2: 1 - num(hp, "beta2"),
    alphaT: alphaT(hp, seg.t),
    eps,
    amsgrad: truthy(hp, "amsgrad"),
    adabound,
    lower,
    upper,
    a: 1.0 - eta * num(hp, "weight_decay_rate"),
    b: -eta,
  };
}

function anyWide(s: AdamScalars): boolean {
  return (
    wideForF32(s.c1) ||
    wideForF32(s.c2) ||
    wideForF32(s.alphaT) ||
    wideForF32(s.eps) ||
    (s.adabound && (wideForF32(s.lower) || wideForF32(s.upper))) ||
    (s.a !== 1 && wideForF32(s.a)) ||
    wideForF32(s.b)
  );
}

function adam32(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vhat: Float32Array,
  start: number,
  end: number,
  s: AdamScalars,
): void {
  const c1 = Math.fround(s.c1);
  const c2 = Math.fround(s.c2);
  const at = Math.fround(s.alphaT);
  const eps = Math.fround(s.eps);
  const lo = Math.fround(s.lower);
  const hi = Math.fround(s.upper);
  const a = Math.fround(s.a);
  const b = Math.fround(s.b);
  const ams = s.amsgrad;
  const bound = s.adabound;
  const decay = s.a !== 1;
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
  s: AdamScalars,
): void {
  const c1 = s.c1;
  const c2 = s.c2;
  const at = s.alphaT;
  const eps = s.eps;
  const lo = s.lower;
  const hi = s.upper;
  const a = s.a;
  const b = s.b;
  const ams = s.amsgrad;
  const bound = s.adabound;
  const decay = s.a !== 1;
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
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const m = asF32(stateBuf(bufs, "m"), "state m");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        const s = scalars(seg, dtype);
        // Without amsgrad the vhat slot is never touched; pass m to keep the call monomorphic.
        const vhat = s.amsgrad ? asF32(stateBuf(bufs, "vhat"), "state vhat") : m;
        checkRange(seg.offset, seg.length, [p, g, m, v, vhat]);
        if (anyWide(s)) specUpdateSegment(Adam, dtype, bufs, seg);
        else adam32(p, g, m, v, vhat, seg.offset, seg.offset + seg.length, s);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const m = asF64(stateBuf(bufs, "m"), "state m");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        const s = scalars(seg, dtype);
        const vhat = s.amsgrad ? asF64(stateBuf(bufs, "vhat"), "state vhat") : m;
        checkRange(seg.offset, seg.length, [p, g, m, v, vhat]);
        adam64(p, g, m, v, vhat, seg.offset, seg.offset + seg.length, s);
      }
    } else {
      throw new TypeError(`js backend: Adam does not compute ${dtype}`);
    }
  },
};
