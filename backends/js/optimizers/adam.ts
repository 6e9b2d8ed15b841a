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
 * every operation rounded to D. The scalars are the spec's (`ADAM_KERNEL_SCALARS`: `alphaT`,
 * `adaBoundBounds`, …), packed once per segment by `backends/kernel-scalars.ts`.
 */
import { Adam } from "../../../spec/optimizers/adam.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(Adam, [
  "c1",
  "c2",
  "alpha_t",
  "eps",
  "lower",
  "upper",
  "a",
  "b",
  "amsgrad",
  "adabound",
  "decay",
]);

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
  const c1 = Math.fround(sc[o + F.c1]!);
  const c2 = Math.fround(sc[o + F.c2]!);
  const at = Math.fround(sc[o + F.alpha_t]!);
  const eps = Math.fround(sc[o + F.eps]!);
  const lo = Math.fround(sc[o + F.lower]!);
  const hi = Math.fround(sc[o + F.upper]!);
  const a = Math.fround(sc[o + F.a]!);
  const b = Math.fround(sc[o + F.b]!);
  const ams = sc[o + F.amsgrad] === 1;
  const bound = sc[o + F.adabound] === 1;
  const decay = sc[o + F.decay] === 1;
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
  const c1 = sc[o + F.c1]!;
  const c2 = sc[o + F.c2]!;
  const at = sc[o + F.alpha_t]!;
  const eps = sc[o + F.eps]!;
  const lo = sc[o + F.lower]!;
  const hi = sc[o + F.upper]!;
  const a = sc[o + F.a]!;
  const b = sc[o + F.b]!;
  const ams = sc[o + F.amsgrad] === 1;
  const bound = sc[o + F.adabound] === 1;
  const decay = sc[o + F.decay] === 1;
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

// Segments without amsgrad never touch vhat (s[2]); a stand-in keeps the loop monomorphic.
export const adamKernel = jsOptimizerKernel(
  Adam,
  (p, g, s, start, end, sc, o) => adam32(p, g, s[0]!, s[1]!, s[2]!, start, end, sc, o),
  (p, g, s, start, end, sc, o) => adam64(p, g, s[0]!, s[1]!, s[2]!, start, end, sc, o),
);
