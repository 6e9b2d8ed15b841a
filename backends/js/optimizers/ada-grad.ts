/**
 * AdaGrad (`adagrad.update`): `h ← h + (g·g)`; `p ← p − ((D(lr)·g) / (sqrt(h) + D(eps)))`, each
 * operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { AdaGrad } from "../../../spec/optimizers/ada-grad.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

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

/** Scalars per segment: lr, eps, wide. */
const S = 3;
const scratch = new Scratch();

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const lr = num(seg.hp, "lr");
    const eps = num(seg.hp, "eps");
    sc[k * S] = lr;
    sc[k * S + 1] = eps;
    sc[k * S + 2] = f32 && (wideForF32(lr) || wideForF32(eps)) ? 1 : 0;
  }
  return sc;
}

export const adaGradKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "AdaGrad")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const h = asF32(stateBuf(bufs, "h"), "state h");
      const sc = prepare(segments, limitOf([p, g, h]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 2] === 1) specUpdateSegment(AdaGrad, dtype, bufs, seg);
        else adaGrad32(p, g, h, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const h = asF64(stateBuf(bufs, "h"), "state h");
      const sc = prepare(segments, limitOf([p, g, h]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        adaGrad64(p, g, h, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    }
  },
};
