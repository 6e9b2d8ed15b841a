/**
 * RMSpropGraves (`rmsprop-graves.update`), each operation rounded to D (`gs` is the state "g"):
 *
 *   n ← n·D(alpha);  n ← n + ((D(1−alpha)·g)·g)
 *   gs ← gs·D(alpha);  gs ← gs + D(1−alpha)·g
 *   delta ← delta·D(momentum);  delta ← delta − ((D(lr)·g) / sqrt((n − gs·gs) + D(eps)))
 *   p ← p + delta
 */
import { RMSpropGraves } from "../../../spec/optimizers/rmsprop-graves.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(RMSpropGraves, ["lr", "alpha", "c", "momentum", "eps"]);

function graves32(
  p: Float32Array,
  g: Float32Array,
  n: Float32Array,
  gs: Float32Array,
  delta: Float32Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const lrD = Math.fround(sc[o + F.lr]!);
  const alphaD = Math.fround(sc[o + F.alpha]!);
  const cD = Math.fround(sc[o + F.c]!);
  const momD = Math.fround(sc[o + F.momentum]!);
  const epsD = Math.fround(sc[o + F.eps]!);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const ni = Math.fround(Math.fround(n[i]! * alphaD) + Math.fround(Math.fround(cD * gi) * gi));
    n[i] = ni;
    const gsi = Math.fround(Math.fround(gs[i]! * alphaD) + Math.fround(cD * gi));
    gs[i] = gsi;
    const den = Math.fround(Math.sqrt(Math.fround(Math.fround(ni - Math.fround(gsi * gsi)) + epsD)));
    const di = Math.fround(Math.fround(delta[i]! * momD) - Math.fround(Math.fround(lrD * gi) / den));
    delta[i] = di;
    p[i] = Math.fround(p[i]! + di);
  }
}

function graves64(
  p: Float64Array,
  g: Float64Array,
  n: Float64Array,
  gs: Float64Array,
  delta: Float64Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const lr = sc[o + F.lr]!;
  const alpha = sc[o + F.alpha]!;
  const c = sc[o + F.c]!;
  const mom = sc[o + F.momentum]!;
  const eps = sc[o + F.eps]!;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const ni = n[i]! * alpha + c * gi * gi;
    n[i] = ni;
    const gsi = gs[i]! * alpha + c * gi;
    gs[i] = gsi;
    const di = delta[i]! * mom - (lr * gi) / Math.sqrt(ni - gsi * gsi + eps);
    delta[i] = di;
    p[i] = p[i]! + di;
  }
}

export const rmspropGravesKernel = jsOptimizerKernel(
  RMSpropGraves,
  (p, g, s, start, end, sc, o) => graves32(p, g, s[0]!, s[1]!, s[2]!, start, end, sc, o),
  (p, g, s, start, end, sc, o) => graves64(p, g, s[0]!, s[1]!, s[2]!, start, end, sc, o),
);
