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
import { type JsBuffer, asF32, asF64, checkRange, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

interface GravesScalars {
  readonly lr: number;
  readonly alpha: number;
  readonly c: number;
  readonly momentum: number;
  readonly eps: number;
}

function graves32(
  p: Float32Array,
  g: Float32Array,
  n: Float32Array,
  gs: Float32Array,
  delta: Float32Array,
  start: number,
  end: number,
  s: GravesScalars,
): void {
  const lrD = Math.fround(s.lr);
  const alphaD = Math.fround(s.alpha);
  const cD = Math.fround(s.c);
  const momD = Math.fround(s.momentum);
  const epsD = Math.fround(s.eps);
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
  s: GravesScalars,
): void {
  const lr = s.lr;
  const alpha = s.alpha;
  const c = s.c;
  const mom = s.momentum;
  const eps = s.eps;
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

function scalars(seg: Segment): GravesScalars {
  const alpha = num(seg.hp, "alpha");
  return { lr: num(seg.hp, "lr"), alpha, c: 1 - alpha, momentum: num(seg.hp, "momentum"), eps: num(seg.hp, "eps") };
}

export const rmspropGravesKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (dtype === "float32") {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const n = asF32(stateBuf(bufs, "n"), "state n");
      const gs = asF32(stateBuf(bufs, "g"), "state g");
      const delta = asF32(stateBuf(bufs, "delta"), "state delta");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, n, gs, delta]);
        const s = scalars(seg);
        if (wideForF32(s.lr) || wideForF32(s.alpha) || wideForF32(s.c) || wideForF32(s.momentum) || wideForF32(s.eps)) {
          specUpdateSegment(RMSpropGraves, dtype, bufs, seg);
        } else graves32(p, g, n, gs, delta, seg.offset, seg.offset + seg.length, s);
      }
    } else if (dtype === "float64") {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const n = asF64(stateBuf(bufs, "n"), "state n");
      const gs = asF64(stateBuf(bufs, "g"), "state g");
      const delta = asF64(stateBuf(bufs, "delta"), "state delta");
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, [p, g, n, gs, delta]);
        graves64(p, g, n, gs, delta, seg.offset, seg.offset + seg.length, scalars(seg));
      }
    } else {
      throw new TypeError(`js backend: RMSpropGraves does not compute ${dtype}`);
    }
  },
};
