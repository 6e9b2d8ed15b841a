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
 * `rho` comes from the spec's `msvagRho(beta, beta_power)` (which raises where Python raises),
 * reused while (beta, beta_power) repeat (`backends/kernel-scalars.ts`).
 * Advancing `beta_power` is the spec's job, not the kernel's.
 */
import { MSVAG } from "../../../spec/optimizers/msvag.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(MSVAG, ["c", "cbp", "rho", "crho", "eta", "lr", "weight_decay_rate"]);

function msvag32(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const c = Math.fround(sc[o + F.c]!);
  const cbp = Math.fround(sc[o + F.cbp]!);
  const rho = Math.fround(sc[o + F.rho]!);
  const crho = Math.fround(sc[o + F.crho]!);
  const eta = Math.fround(sc[o + F.eta]!);
  const lr = Math.fround(sc[o + F.lr]!);
  const wdr = Math.fround(sc[o + F.weight_decay_rate]!);
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

function msvag64(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const c = sc[o + F.c]!;
  const cbp = sc[o + F.cbp]!;
  const rho = sc[o + F.rho]!;
  const crho = sc[o + F.crho]!;
  const eta = sc[o + F.eta]!;
  const lr = sc[o + F.lr]!;
  const wdr = sc[o + F.weight_decay_rate]!;
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

export const msvagKernel = jsOptimizerKernel(
  MSVAG,
  (p, g, s, start, end, sc, o) => msvag32(p, g, s[0]!, s[1]!, start, end, sc, o),
  (p, g, s, start, end, sc, o) => msvag64(p, g, s[0]!, s[1]!, start, end, sc, o),
);
