/**
 * NesterovAG (`nesterov-ag.update`), each operation rounded to D:
 *
 *   v ← v·D(μ);  v ← v − D(lr)·g;  p ← p + D([μ·μ]₆₄)·v;  p ← p − D([(1+μ)·lr]₆₄)·g
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { NesterovAG } from "../../../spec/optimizers/nesterov-ag.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function nesterov32(p: Float32Array, g: Float32Array, v: Float32Array, start: number, end: number, lr: number, mu: number): void {
  const lrD = Math.fround(lr);
  const muD = Math.fround(mu);
  const mu2D = Math.fround(mu * mu);
  const clrD = Math.fround((1 + mu) * lr);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const vi = Math.fround(Math.fround(v[i]! * muD) - Math.fround(lrD * gi));
    v[i] = vi;
    const pi = Math.fround(p[i]! + Math.fround(mu2D * vi));
    p[i] = Math.fround(pi - Math.fround(clrD * gi));
  }
}

function nesterov64(p: Float64Array, g: Float64Array, v: Float64Array, start: number, end: number, lr: number, mu: number): void {
  const mu2 = mu * mu;
  const clr = (1 + mu) * lr;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const vi = v[i]! * mu - lr * gi;
    v[i] = vi;
    const pi = p[i]! + mu2 * vi;
    p[i] = pi - clr * gi;
  }
}

/** Scalars per segment: lr, momentum, wide. */
const S = 3;
const scratch = new Scratch();

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const lr = num(seg.hp, "lr");
    const mu = num(seg.hp, "momentum");
    sc[k * S] = lr;
    sc[k * S + 1] = mu;
    sc[k * S + 2] = f32 && (wideForF32(lr) || wideForF32(mu) || wideForF32(mu * mu) || wideForF32((1 + mu) * lr)) ? 1 : 0;
  }
  return sc;
}

export const nesterovAgKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "NesterovAG")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      const sc = prepare(segments, limitOf([p, g, v]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 2] === 1) specUpdateSegment(NesterovAG, dtype, bufs, seg);
        else nesterov32(p, g, v, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      const sc = prepare(segments, limitOf([p, g, v]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        nesterov64(p, g, v, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    }
  },
};
