/**
 * SGD (`sgd.update`): `p ← p − D(lr)·g`, each operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { SGD } from "../../../spec/optimizers/sgd.js";
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, wideForF32 } from "../memory.js";

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

export const sgdKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g]);
        const lr = num(seg.hp, "lr");
        if (wideForF32(lr)) specUpdateSegment(SGD, dtype, bufs, seg);
        else sgd32(p, g, seg.offset, seg.offset + seg.length, lr);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g]);
        sgd64(p, g, seg.offset, seg.offset + seg.length, num(seg.hp, "lr"));
      }
    } else {
      throw new TypeError(`js backend: SGD does not compute ${dtype}`);
    }
  },
};
