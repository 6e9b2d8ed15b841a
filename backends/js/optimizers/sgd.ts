/**
 * SGD (`sgd.update`): `p ← p − D(lr)·g`, each operation rounded to D.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { SGD } from "../../../spec/optimizers/sgd.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, wideForF32 } from "../memory.js";

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

/** Scalars per segment: lr, wide (float32: lr overflows float32, so numpy computes in float64). */
const S = 2;
const scratch = new Scratch();

/** Validates every segment and computes its scalars before anything is written. */
function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const lr = num(seg.hp, "lr");
    sc[k * S] = lr;
    sc[k * S + 1] = f32 && wideForF32(lr) ? 1 : 0;
  }
  return sc;
}

export const sgdKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "SGD")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const sc = prepare(segments, limitOf([p, g]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 1] === 1) specUpdateSegment(SGD, dtype, bufs, seg);
        else sgd32(p, g, seg.offset, seg.offset + seg.length, sc[k * S]!);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const sc = prepare(segments, limitOf([p, g]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        sgd64(p, g, seg.offset, seg.offset + seg.length, sc[k * S]!);
      }
    }
  },
};
