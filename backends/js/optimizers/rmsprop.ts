/**
 * RMSprop (`rmsprop.update`), each operation rounded to D, with `e = D(eps)` a numpy scalar of the
 * dtype (always rounded to D, never widened):
 *
 *   ms ← ms·D(alpha);  ms ← ms + ((D(1−alpha)·g)·g)
 *   denom = sqrt(ms + e) if eps_inside_sqrt else sqrt(ms) + e
 *   p ← p − ((D(lr)·g) / denom)
 *
 * `rmsprop.eps-check` (an eps ≠ 0 that rounds to 0) is the spec's to raise; the kernel refuses
 * such a call before writing anything.
 */
import { RMSprop } from "../../../spec/optimizers/rmsprop.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(RMSprop, ["lr", "alpha", "c", "eps", "eps_inside_sqrt"]);

function rmsprop32(
  p: Float32Array,
  g: Float32Array,
  ms: Float32Array,
  start: number,
  end: number,
  lr: number,
  alpha: number,
  c: number,
  eps: number,
  inside: boolean,
): void {
  const lrD = Math.fround(lr);
  const alphaD = Math.fround(alpha);
  const cD = Math.fround(c);
  const e = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msi = Math.fround(Math.fround(ms[i]! * alphaD) + Math.fround(Math.fround(cD * gi) * gi));
    ms[i] = msi;
    const denom = inside ? Math.fround(Math.sqrt(Math.fround(msi + e))) : Math.fround(Math.fround(Math.sqrt(msi)) + e);
    p[i] = Math.fround(p[i]! - Math.fround(Math.fround(lrD * gi) / denom));
  }
}

function rmsprop64(
  p: Float64Array,
  g: Float64Array,
  ms: Float64Array,
  start: number,
  end: number,
  lr: number,
  alpha: number,
  c: number,
  eps: number,
  inside: boolean,
): void {
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msi = ms[i]! * alpha + c * gi * gi;
    ms[i] = msi;
    const denom = inside ? Math.sqrt(msi + eps) : Math.sqrt(msi) + eps;
    p[i] = p[i]! - (lr * gi) / denom;
  }
}

export const rmspropKernel = jsOptimizerKernel(
  RMSprop,
  (p, g, s, start, end, sc, o) =>
    rmsprop32(
      p,
      g,
      s[0]!,
      start,
      end,
      sc[o + F.lr]!,
      sc[o + F.alpha]!,
      sc[o + F.c]!,
      sc[o + F.eps]!,
      sc[o + F.eps_inside_sqrt] === 1,
    ),
  (p, g, s, start, end, sc, o) =>
    rmsprop64(
      p,
      g,
      s[0]!,
      start,
      end,
      sc[o + F.lr]!,
      sc[o + F.alpha]!,
      sc[o + F.c]!,
      sc[o + F.eps]!,
      sc[o + F.eps_inside_sqrt] === 1,
    ),
);
