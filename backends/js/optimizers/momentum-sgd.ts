/**
 * MomentumSGD (`momentum-sgd.update`): `v ← v·D(momentum)`; `v ← v − D(lr)·g`; `p ← p + v`, each
 * operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { MomentumSGD } from "../../../spec/optimizers/momentum-sgd.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

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

/** Scalars per segment: lr, momentum, wide. */
const S = 3;
const scratch = new Scratch();

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const lr = num(seg.hp, "lr");
    const momentum = num(seg.hp, "momentum");
    sc[k * S] = lr;
    sc[k * S + 1] = momentum;
    sc[k * S + 2] = f32 && (wideForF32(lr) || wideForF32(momentum)) ? 1 : 0;
  }
  return sc;
}

export const momentumSgdKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "MomentumSGD")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const v = asF32(stateBuf(bufs, "v"), "state v");
      const sc = prepare(segments, limitOf([p, g, v]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 2] === 1) specUpdateSegment(MomentumSGD, dtype, bufs, seg);
        else momentum32(p, g, v, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const v = asF64(stateBuf(bufs, "v"), "state v");
      const sc = prepare(segments, limitOf([p, g, v]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        momentum64(p, g, v, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    }
  },
};
