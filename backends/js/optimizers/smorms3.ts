/**
 * SMORMS3 (`smorms3.update`). numpy builds new state arrays from temporaries; here each element is
 * computed in registers with the same roundings (each operation rounded to D; the literals 1 are
 * Python ints, exact in D) and written back in place:
 *
 *   r = 1 / (mem + 1)
 *   g' = ((1 − r)·g) + (r·grad)
 *   g2' = ((1 − r)·g2) + ((r·grad)·grad)
 *   x = (g'·g') / (g2' + D(eps))
 *   p ← p − ((grad · minimum(x, D(lr))) / (sqrt(g2') + D(eps)))     (NaN-propagating minimum)
 *   mem' = 1 + (mem·(1 − x))                                          (the old mem)
 *
 * A float32 call whose eps exceeds float32's range is refused: numpy would make `mem'` a float64 array.
 */
import { SMORMS3 } from "../../../spec/optimizers/smorms3.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(SMORMS3, ["lr", "eps"]);

function smorms32(
  p: Float32Array,
  grad: Float32Array,
  mem: Float32Array,
  gs: Float32Array,
  g2s: Float32Array,
  start: number,
  end: number,
  lr: number,
  eps: number,
): void {
  const lrD = Math.fround(lr);
  const epsD = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gr = grad[i]!;
    const m0 = mem[i]!;
    const r = Math.fround(1 / Math.fround(m0 + 1));
    const omr = Math.fround(1 - r);
    const rg = Math.fround(r * gr);
    const gn = Math.fround(Math.fround(omr * gs[i]!) + rg);
    const g2n = Math.fround(Math.fround(omr * g2s[i]!) + Math.fround(rg * gr));
    const x = Math.fround(Math.fround(gn * gn) / Math.fround(g2n + epsD));
    // numpy.minimum(x, lr): the first NaN operand, else the smaller (the first on ties).
    const mn = x !== x ? x : lrD !== lrD ? lrD : x <= lrD ? x : lrD;
    p[i] = Math.fround(p[i]! - Math.fround(Math.fround(gr * mn) / Math.fround(Math.fround(Math.sqrt(g2n)) + epsD)));
    mem[i] = Math.fround(1 + Math.fround(m0 * Math.fround(1 - x)));
    gs[i] = gn;
    g2s[i] = g2n;
  }
}

function smorms64(
  p: Float64Array,
  grad: Float64Array,
  mem: Float64Array,
  gs: Float64Array,
  g2s: Float64Array,
  start: number,
  end: number,
  lr: number,
  eps: number,
): void {
  for (let i = start; i < end; i++) {
    const gr = grad[i]!;
    const m0 = mem[i]!;
    const r = 1 / (m0 + 1);
    const omr = 1 - r;
    const rg = r * gr;
    const gn = omr * gs[i]! + rg;
    const g2n = omr * g2s[i]! + rg * gr;
    const x = (gn * gn) / (g2n + eps);
    const mn = x !== x ? x : lr !== lr ? lr : x <= lr ? x : lr;
    p[i] = p[i]! - (gr * mn) / (Math.sqrt(g2n) + eps);
    mem[i] = 1 + m0 * (1 - x);
    gs[i] = gn;
    g2s[i] = g2n;
  }
}

export const smorms3Kernel = jsOptimizerKernel(
  SMORMS3,
  (p, g, s, start, end, sc, o) => smorms32(p, g, s[0]!, s[1]!, s[2]!, start, end, sc[o + F.lr]!, sc[o + F.eps]!),
  (p, g, s, start, end, sc, o) => smorms64(p, g, s[0]!, s[1]!, s[2]!, start, end, sc[o + F.lr]!, sc[o + F.eps]!),
);
