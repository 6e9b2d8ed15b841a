/**
 * SGD (`sgd.update`): `p ← p − D(lr)·g`, each operation rounded to D.
 */
import { SGD } from "../../../spec/optimizers/sgd.js";
import { jsOptimizerKernel, scalarFields } from "../optimizer-kernel.js";

const F = scalarFields(SGD, ["lr"]);

function sgd32(p: Float32Array, g: Float32Array, start: number, end: number, lr: number): void {
  const lrD = Math.fround(lr);
  for (let i = start; i < end; i++) {
    p[i] = Math.fround(p[i]! - Math.fround(lrD * g[i]!));
  }
}

function sgd64(p: Float64Array, g: Float64Array, start: number, end: number, lr: number): void {
  for (let i = start; i < end; i++) {
    p[i] = p[i]! - lr * g[i]!;
  }
}

export const sgdKernel = jsOptimizerKernel(
  SGD,
  (p, g, _s, start, end, sc, o) => sgd32(p, g, start, end, sc[o + F.lr]!),
  (p, g, _s, start, end, sc, o) => sgd64(p, g, start, end, sc[o + F.lr]!),
);
