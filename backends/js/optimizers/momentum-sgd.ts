/**
 * MomentumSGD (`momentum-sgd.update`): `v ← v·D(momentum)`; `v ← v − D(lr)·g`; `p ← p + v`, each
 * operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { MomentumSGD } from "../../../spec/optimizers/momentum-sgd.js";
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function momentum32(p: Float32Array, g: Float32Array, v: Float32Array, start: number, end: number, lr: number, momentum: number): void {
  const lrD = Math.fround(lr);
  const muD = Math.fround(momentum);
  for (let i = start; i < end; i++) {
    const vi = Math.fround(Math.fround(v[i]! * muD) - Math.fround(lrD * g[i]!));
    v[i] = vi;
    p[i] = Math.fround(p[i]! + vi);
  }
}

function momentum64(p: Float64Array, g: Float64Array, v: Float64Array, start: number, end: number, lr: number, momentum: number): void {
  for (let i = start; i < end; i++) {
    const vi = v[i]! * momentum - lr * g[i]!;
    v[i] = vi;
    p[i] = p[i]! + vi;
  }
}

export const momentumSgdKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, v]);
        const lr = num(seg.hp, "lr");
        const momentum = num(seg.hp, "momentum");
        if (wideForF32(lr) || wideForF32(momentum)) specUpdateSegment(MomentumSGD, dtype, bufs, seg);
        else momentum32(p, g, v, seg.offset, seg.offset + seg.length, lr, momentum);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, v]);
        momentum64(p, g, v, seg.offset, seg.offset + seg.length, num(seg.hp, "lr"), num(seg.hp, "momentum"));
      }
    } else {
      throw new TypeError(`js backend: MomentumSGD does not compute ${dtype}`);
    }
  },
};
