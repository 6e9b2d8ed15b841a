/**
 * AdaDelta (`adadelta.update`), each operation rounded to D:
 *
 *   msg  ← msg·D(rho);  msg ← msg + ((D(1−rho)·g)·g)
 *   dx   = sqrt((msdx + D(eps)) / (msg + D(eps)))·g        (the old msdx)
 *   msdx ← msdx·D(rho); msdx ← msdx + ((D(1−rho)·dx)·dx)
 *   p    ← p − dx
 */
import { AdaDelta } from "../../../spec/optimizers/ada-delta.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(AdaDelta, ["rho", "c", "eps"]);

function adaDelta32(
  p: Float32Array,
  g: Float32Array,
  msg: Float32Array,
  msdx: Float32Array,
  start: number,
  end: number,
  rho: number,
  c: number,
  eps: number,
): void {
  const rhoD = Math.fround(rho);
  const cD = Math.fround(c);
  const epsD = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msgi = Math.fround(Math.fround(msg[i]! * rhoD) + Math.fround(Math.fround(cD * gi) * gi));
    msg[i] = msgi;
    const sd = msdx[i]!;
    const dx = Math.fround(Math.fround(Math.sqrt(Math.fround(Math.fround(sd + epsD) / Math.fround(msgi + epsD)))) * gi);
    msdx[i] = Math.fround(Math.fround(sd * rhoD) + Math.fround(Math.fround(cD * dx) * dx));
    p[i] = Math.fround(p[i]! - dx);
  }
}

function adaDelta64(
  p: Float64Array,
  g: Float64Array,
  msg: Float64Array,
  msdx: Float64Array,
  start: number,
  end: number,
  rho: number,
  c: number,
  eps: number,
): void {
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msgi = msg[i]! * rho + c * gi * gi;
    msg[i] = msgi;
    const sd = msdx[i]!;
    const dx = Math.sqrt((sd + eps) / (msgi + eps)) * gi;
    msdx[i] = sd * rho + c * dx * dx;
    p[i] = p[i]! - dx;
  }
}

export const adaDeltaKernel = jsOptimizerKernel(
  AdaDelta,
  (p, g, s, start, end, sc, o) =>
    adaDelta32(p, g, s[0]!, s[1]!, start, end, sc[o + F.rho]!, sc[o + F.c]!, sc[o + F.eps]!),
  (p, g, s, start, end, sc, o) =>
    adaDelta64(p, g, s[0]!, s[1]!, start, end, sc[o + F.rho]!, sc[o + F.c]!, sc[o + F.eps]!),
);
