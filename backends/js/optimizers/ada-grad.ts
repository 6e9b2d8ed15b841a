/**
 * AdaGrad (`adagrad.update`): `h ← h + (g·g)`; `p ← p − ((D(lr)·g) / (sqrt(h) + D(eps)))`, each
 * operation rounded to D.
 */
import { AdaGrad } from "../../../spec/optimizers/ada-grad.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(AdaGrad, ["lr", "eps"]);

function adaGrad32(
  p: Float32Array,
  g: Float32Array,
  h: Float32Array,
  start: number,
  end: number,
  lr: number,
  eps: number,
): void {
  const lrD = Math.fround(lr);
  const epsD = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const hi = Math.fround(h[i]! + Math.fround(gi * gi));
    h[i] = hi;
    p[i] = Math.fround(p[i]! - Math.fround(Math.fround(lrD * gi) / Math.fround(Math.fround(Math.sqrt(hi)) + epsD)));
  }
}

function adaGrad64(
  p: Float64Array,
  g: Float64Array,
  h: Float64Array,
  start: number,
  end: number,
  lr: number,
  eps: number,
): void {
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const hi = h[i]! + gi * gi;
    h[i] = hi;
    p[i] = p[i]! - (lr * gi) / (Math.sqrt(hi) + eps);
  }
}

export const adaGradKernel = jsOptimizerKernel(
  AdaGrad,
  (p, g, s, start, end, sc, o) => adaGrad32(p, g, s[0]!, start, end, sc[o + F.lr]!, sc[o + F.eps]!),
  (p, g, s, start, end, sc, o) => adaGrad64(p, g, s[0]!, start, end, sc[o + F.lr]!, sc[o + F.eps]!),
);
