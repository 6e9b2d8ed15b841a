/**
 * CorrectedMomentumSGD (`corrected-momentum-sgd.update`): `v ← v·D(momentum)`; `v ← v − g`;
 * `p ← p + D(lr)·v`, each operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { CorrectedMomentumSGD } from "../../../spec/optimizers/corrected-momentum-sgd.js";
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function corrected32(p: Float32Array, g: Float32Array, v: Float32Array, start: number, end: number, lr: number, momentum: number): void {
  const lrD = Math.fround(lr);
  const muD = Math.fround(momentum);
  for (let i = start; i < end; i++) {
    const vi = Math.fround(Math.fround(v[i]! * muD) - g[i]!);
    v[i] = vi;
    p[i] = Math.fround(p[i]! + Math.fround(lrD * vi));
  }
}

function corrected64(p: Float64Array, g: Float64Array, v: Float64Array, start: number, end: number, lr: number, momentum: number): void {
  for (let i = start; i < end; i++) {
    const vi = v[i]! * momentum - g[i]!;
    v[i] = vi;
    p[i] = p[i]! + lr * vi;
  }
}

export const correctedMomentumSgdKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, v]);
        const lr = num(seg.hp, "lr");
        const momentum = num(seg.hp, "momentum");
        if (wideForF32(lr) || wideForF32(momentum)) specUpdateSegment(CorrectedMomentumSGD, dtype, bufs, seg);
        else corrected32(p, g, v, seg.offset, seg.offset + seg.length, lr, momentum);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, v]);
        corrected64(p, g, v, seg.offset, seg.offset + seg.length, num(seg.hp, "lr"), num(seg.hp, "momentum"));
      }
    } else {
      throw new TypeError(`js backend: CorrectedMomentumSGD does not compute ${dtype}`);
    }
  },
};
