/**
 * RMSpropGraves (`rmsprop-graves.update`), each operation rounded to D (`gs` is the state "g"):
 *
 *   n ← n·D(alpha);  n ← n + ((D(1−alpha)·g)·g)
 *   gs ← gs·D(alpha);  gs ← gs + D(1−alpha)·g
 *   delta ← delta·D(momentum);  delta ← delta − ((D(lr)·g) / sqrt((n − gs·gs) + D(eps)))
 *   p ← p + delta
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { RMSpropGraves } from "../../../spec/optimizers/rmsprop-graves.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

/** Scalars per segment: lr, alpha, 1 − alpha, momentum, eps, wide. */
const S = 6;
const scratch = new Scratch();

function graves32(
  p: Float32Array,
  g: Float32Array,
  n: Float32Array,
  gs: Float32Array,
  delta: Float32Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const lrD = Math.fround(sc[o]!);
  const alphaD = Math.fround(sc[o + 1]!);
  const cD = Math.fround(sc[o + 2]!);
  const momD = Math.fround(sc[o + 3]!);
  const epsD = Math.fround(sc[o + 4]!);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const ni = Math.fround(Math.fround(n[i]! * alphaD) + Math.fround(Math.fround(cD * gi) * gi));
    n[i] = ni;
    const gsi = Math.fround(Math.fround(gs[i]! * alphaD) + Math.fround(cD * gi));
    gs[i] = gsi;
    const den = Math.fround(Math.sqrt(Math.fround(Math.fround(ni - Math.fround(gsi * gsi)) + epsD)));
    const di = Math.fround(Math.fround(delta[i]! * momD) - Math.fround(Math.fround(lrD * gi) / den));
    delta[i] = di;
    p[i] = Math.fround(p[i]! + di);
  }
}

function graves64(
  p: Float64Array,
  g: Float64Array,
  n: Float64Array,
  gs: Float64Array,
  delta: Float64Array,
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
): void {
  const lr = sc[o]!;
  const alpha = sc[o + 1]!;
  const c = sc[o + 2]!;
  const mom = sc[o + 3]!;
  const eps = sc[o + 4]!;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const ni = n[i]! * alpha + c * gi * gi;
    n[i] = ni;
    const gsi = gs[i]! * alpha + c * gi;
    gs[i] = gsi;
    const di = delta[i]! * mom - (lr * gi) / Math.sqrt(ni - gsi * gsi + eps);
    delta[i] = di;
    p[i] = p[i]! + di;
  }
}

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const lr = num(seg.hp, "lr");
    const alpha = num(seg.hp, "alpha");
    const momentum = num(seg.hp, "momentum");
    const eps = num(seg.hp, "eps");
    const o = k * S;
    sc[o] = lr;
    sc[o + 1] = alpha;
    sc[o + 2] = 1 - alpha;
    sc[o + 3] = momentum;
    sc[o + 4] = eps;
    sc[o + 5] = f32 && (wideForF32(lr) || wideForF32(alpha) || wideForF32(1 - alpha) || wideForF32(momentum) || wideForF32(eps)) ? 1 : 0;
  }
  return sc;
}

export const rmspropGravesKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "RMSpropGraves")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const n = asF32(stateBuf(bufs, "n"), "state n");
      const gs = asF32(stateBuf(bufs, "g"), "state g");
      const delta = asF32(stateBuf(bufs, "delta"), "state delta");
      const sc = prepare(segments, limitOf([p, g, n, gs, delta]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 5] === 1) specUpdateSegment(RMSpropGraves, dtype, bufs, seg);
        else graves32(p, g, n, gs, delta, seg.offset, seg.offset + seg.length, sc, k * S);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const n = asF64(stateBuf(bufs, "n"), "state n");
      const gs = asF64(stateBuf(bufs, "g"), "state g");
      const delta = asF64(stateBuf(bufs, "delta"), "state delta");
      const sc = prepare(segments, limitOf([p, g, n, gs, delta]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        graves64(p, g, n, gs, delta, seg.offset, seg.offset + seg.length, sc, k * S);
      }
    }
  },
};
