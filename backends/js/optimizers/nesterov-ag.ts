/**
 * NesterovAG (`nesterov-ag.update`), each operation rounded to D:
 *
 *   v ← v·D(μ);  v ← v − D(lr)·g;  p ← p + D([μ·μ]₆₄)·v;  p ← p − D([(1+μ)·lr]₆₄)·g
 */
import { NesterovAG } from "../../../spec/optimizers/nesterov-ag.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(NesterovAG, ["lr", "momentum", "momentum_sq", "lookahead_lr"]);

function nesterov32(
  p: Float32Array,
  g: Float32Array,
  v: Float32Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const lrD = Math.fround(sc[o + F.lr]!);
  const muD = Math.fround(sc[o + F.momentum]!);
  const mu2D = Math.fround(sc[o + F.momentum_sq]!);
  const clrD = Math.fround(sc[o + F.lookahead_lr]!);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const vi = Math.fround(Math.fround(v[i]! * muD) - Math.fround(lrD * gi));
    v[i] = vi;
    const pi = Math.fround(p[i]! + Math.fround(mu2D * vi));
    p[i] = Math.fround(pi - Math.fround(clrD * gi));
  }
}

function nesterov64(
  p: Float64Array,
  g: Float64Array,
  v: Float64Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const lr = sc[o + F.lr]!;
  const mu = sc[o + F.momentum]!;
  const mu2 = sc[o + F.momentum_sq]!;
  const clr = sc[o + F.lookahead_lr]!;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const vi = v[i]! * mu - lr * gi;
    v[i] = vi;
    const pi = p[i]! + mu2 * vi;
    p[i] = pi - clr * gi;
  }
}

export const nesterovAgKernel = jsOptimizerKernel(
  NesterovAG,
  (p, g, s, start, end, sc, o) => nesterov32(p, g, s[0]!, start, end, sc, o),
  (p, g, s, start, end, sc, o) => nesterov64(p, g, s[0]!, start, end, sc, o),
);
