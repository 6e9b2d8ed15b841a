/**
 * AdaGrad (`adagrad.update`): `h ← h + (g·g)`; `p ← p − ((D(lr)·g) / (sqrt(h) + D(eps)))`, each
 * operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { AdaGrad } from "../../../spec/optimizers/ada-grad.js";
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function adaGrad32(p: Float32Array, g: Float32Array, h: Float32Array, start: number, end: number, lr: number, eps: number): void {
  const lrD = Math.fround(lr);
  const epsD = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const hi = Math.fround(h[i]! + Math.fround(gi * gi));
    h[i] = hi;
    p[i] = Math.fround(p[i]! - Math.fround(Math.fround(lrD * gi) / Math.fround(Math.fround(Math.sqrt(hi)) + epsD)));
  }
}

function adaGrad64(p: Float64Array, g: Float64Array, h: Float64Array, start: number, end: number, lr: number, eps: number): void {
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const hi = h[i]! + gi * gi;
    h[i] = hi;
    p[i] = p[i]! - (lr * gi) / (Math.sqrt(hi) + eps);
  }
}

export const adaGradKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const h = asF32(stateBuf(bufs, "h"), "state h");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, h]);
        const lr = num(seg.hp, "lr");
        const eps = num(seg.hp, "eps");
        if (wideForF32(lr) || wideForF32(eps)) specUpdateSegment(AdaGrad, dtype, bufs, seg);
        else adaGrad32(p, g, h, seg.offset, seg.offset + seg.length, lr, eps);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const h = asF64(stateBuf(bufs, "h"), "state h");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, h]);
        adaGrad64(p, g, h, seg.offset, seg.offset + seg.length, num(seg.hp, "lr"), num(seg.hp, "eps"));
      }
    } else {
      throw new TypeError(`js backend: AdaGrad does not compute ${dtype}`);
    }
  },
};
