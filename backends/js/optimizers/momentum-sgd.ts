/**
 * MomentumSGD (`momentum-sgd.update`): `v ← v·D(momentum)`; `v ← v − D(lr)·g`; `p ← p + v`, each
 * operation rounded to D.
 */
import { MomentumSGD } from "../../../spec/optimizers/momentum-sgd.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(MomentumSGD, ["lr", "momentum"]);

function momentum32(
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
    const vi = Math.fround(Math.fround(v[i]! * muD) - Math.fround(lrD * g[i]!));
    v[i] = vi;
    p[i] = Math.fround(p[i]! + vi);
  }
}

function momentum64(
  p: Float64Array,
  g: Float64Array,
  v: Float64Array,
  start: number,
  end: number,
  lr: number,
  momentum: number,
): void {
  for (let i = start; i < end; i++) {
    const vi = v[i]! * momentum - lr * g[i]!;
    v[i] = vi;
    p[i] = p[i]! + vi;
  }
}

export const momentumSgdKernel = jsOptimizerKernel(
  MomentumSGD,
  (p, g, s, start, end, sc, o) => momentum32(p, g, s[0]!, start, end, sc[o + F.lr]!, sc[o + F.momentum]!),
  (p, g, s, start, end, sc, o) => momentum64(p, g, s[0]!, start, end, sc[o + F.lr]!, sc[o + F.momentum]!),
);
