/**
 * RMSprop (`rmsprop.update`), each operation rounded to D, with `e = D(eps)` a numpy scalar of the
 * dtype (always rounded to D, never widened):
 *
 *   ms ← ms·D(alpha);  ms ← ms + ((D(1−alpha)·g)·g)
 *   denom = sqrt(ms + e) if eps_inside_sqrt else sqrt(ms) + e
 *   p ← p − ((D(lr)·g) / denom)
 *
 * `rmsprop.eps-check` (an eps ≠ 0 that rounds to 0) is the spec's to raise; the kernel refuses
 * such a call before writing anything.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num, truthy } from "../../../spec/hyperparam.js";
import { RMSprop } from "../../../spec/optimizers/rmsprop.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function rmsprop32(
  p: Float32Array,
  g: Float32Array,
  ms: Float32Array,
  start: number,
  end: number,
  lr: number,
  alpha: number,
  eps: number,
  inside: boolean,
): void {
  const lrD = Math.fround(lr);
  const alphaD = Math.fround(alpha);
  const cD = Math.fround(1 - alpha);
  const e = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msi = Math.fround(Math.fround(ms[i]! * alphaD) + Math.fround(Math.fround(cD * gi) * gi));
    ms[i] = msi;
    const denom = inside ? Math.fround(Math.sqrt(Math.fround(msi + e))) : Math.fround(Math.fround(Math.sqrt(msi)) + e);
    p[i] = Math.fround(p[i]! - Math.fround(Math.fround(lrD * gi) / denom));
  }
}

function rmsprop64(
  p: Float64Array,
  g: Float64Array,
  ms: Float64Array,
  start: number,
  end: number,
  lr: number,
  alpha: number,
  eps: number,
  inside: boolean,
): void {
  const c = 1 - alpha;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msi = ms[i]! * alpha + c * gi * gi;
    ms[i] = msi;
    const denom = inside ? Math.sqrt(msi + eps) : Math.sqrt(msi) + eps;
    p[i] = p[i]! - (lr * gi) / denom;
  }
}

/** Scalars per segment: lr, alpha, eps, eps_inside_sqrt, wide. */
const S = 5;
const scratch = new Scratch();

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const lr = num(seg.hp, "lr");
    const alpha = num(seg.hp, "alpha");
    const eps = num(seg.hp, "eps");
    if (f32 && eps !== 0 && Math.fround(eps) === 0) {
      throw new RangeError(`js backend: eps of RMSprop optimizer is too small for float32 (${eps}); the spec raises here`);
    }
    sc[k * S] = lr;
    sc[k * S + 1] = alpha;
    sc[k * S + 2] = eps;
    sc[k * S + 3] = truthy(seg.hp, "eps_inside_sqrt") ? 1 : 0;
    sc[k * S + 4] = f32 && (wideForF32(lr) || wideForF32(alpha) || wideForF32(1 - alpha)) ? 1 : 0;
  }
  return sc;
}

export const rmspropKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "RMSprop")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const ms = asF32(stateBuf(bufs, "ms"), "state ms");
      const sc = prepare(segments, limitOf([p, g, ms]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const o = k * S;
        if (sc[o + 4] === 1) specUpdateSegment(RMSprop, dtype, bufs, seg);
        else rmsprop32(p, g, ms, seg.offset, seg.offset + seg.length, sc[o]!, sc[o + 1]!, sc[o + 2]!, sc[o + 3] === 1);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const ms = asF64(stateBuf(bufs, "ms"), "state ms");
      const sc = prepare(segments, limitOf([p, g, ms]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const o = k * S;
        rmsprop64(p, g, ms, seg.offset, seg.offset + seg.length, sc[o]!, sc[o + 1]!, sc[o + 2]!, sc[o + 3] === 1);
      }
    }
  },
};
