/**
 * CorrectedMomentumSGD (`corrected-momentum-sgd.update`): `v ← v·D(momentum)`; `v ← v − g`;
 * `p ← p + D(lr)·v`, each operation rounded to D.
 */
import { CorrectedMomentumSGD } from "../../../spec/optimizers/corrected-momentum-sgd.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(CorrectedMomentumSGD, ["lr", "momentum"]);

function corrected32(
  p: Float32Array,
  g: Float32Array,
  v: Float32Array,
  start: number,
  end: number,
  lr: number,
  momentum: number,
): void {
  const lrD = Math.fround(lr);
  const muD = Math.fround(momentum);
  for (let i = start; i < end; i++) {
    const vi = Math.fround(Math.fround(v[i]! * muD) - g[i]!);
    v[i] = vi;
    p[i] = Math.fround(p[i]! + Math.fround(lrD * vi));
  }
}

function corrected64(
  p: Float64Array,
  g: Float64Array,
  v: Float64Array,
  start: number,
  end: number,
  lr: number,
  momentum: number,
): void {
  for (let i = start; i < end; i++) {
    const vi = v[i]! * momentum - g[i]!;
    v[i] = vi;
    p[i] = p[i]! + lr * vi;
  }
}

export const correctedMomentumSgdKernel = jsOptimizerKernel(
  CorrectedMomentumSGD,
  (p, g, s, start, end, sc, o) => corrected32(p, g, s[0]!, start, end, sc[o + F.lr]!, sc[o + F.momentum]!),
  (p, g, s, start, end, sc, o) => corrected64(p, g, s[0]!, start, end, sc[o + F.lr]!, sc[o + F.momentum]!),
);
