/**
 * SMORMS3 (`smorms3.update`). numpy builds new state arrays from temporaries; here each element is
 * computed in registers with the same roundings (each operation rounded to D; the literals 1 are
 * Python ints, exact in D) and written back in place:
 *
 *   r = 1 / (mem + 1)
 *   g' = ((1 − r)·g) + (r·grad)
 *   g2' = ((1 − r)·g2) + ((r·grad)·grad)
 *   x = (g'·g') / (g2' + D(eps))
 *   p ← p − ((grad · minimum(x, D(lr))) / (sqrt(g2') + D(eps)))     (NaN-propagating minimum)
 *   mem' = 1 + (mem·(1 − x))                                          (the old mem)
 *
 * A float32 call whose eps exceeds float32's range is refused: numpy would make `mem'` a float64 array.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { SMORMS3 } from "../../../spec/optimizers/smorms3.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function smorms32(
  p: Float32Array,
  grad: Float32Array,
  mem: Float32Array,
  gs: Float32Array,
  g2s: Float32Array,
  start: number,
  end: number,
  lr: number,
  eps: number,
): void {
  const lrD = Math.fround(lr);
  const epsD = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gr = grad[i]!;
    const m0 = mem[i]!;
    const r = Math.fround(1 / Math.fround(m0 + 1));
    const omr = Math.fround(1 - r);
    const rg = Math.fround(r * gr);
    const gn = Math.fround(Math.fround(omr * gs[i]!) + rg);
    const g2n = Math.fround(Math.fround(omr * g2s[i]!) + Math.fround(rg * gr));
    const x = Math.fround(Math.fround(gn * gn) / Math.fround(g2n + epsD));
    // numpy.minimum(x, lr): the first NaN operand, else the smaller (the first on ties).
    const mn = x !== x ? x : lrD !== lrD ? lrD : x <= lrD ? x : lrD;
    p[i] = Math.fround(p[i]! - Math.fround(Math.fround(gr * mn) / Math.fround(Math.fround(Math.sqrt(g2n)) + epsD)));
    mem[i] = Math.fround(1 + Math.fround(m0 * Math.fround(1 - x)));
    gs[i] = gn;
    g2s[i] = g2n;
  }
}

function smorms64(
  p: Float64Array,
  grad: Float64Array,
  mem: Float64Array,
  gs: Float64Array,
  g2s: Float64Array,
  start: number,
  end: number,
  lr: number,
  eps: number,
): void {
  for (let i = start; i < end; i++) {
    const gr = grad[i]!;
    const m0 = mem[i]!;
    const r = 1 / (m0 + 1);
    const omr = 1 - r;
    const rg = r * gr;
    const gn = omr * gs[i]! + rg;
    const g2n = omr * g2s[i]! + rg * gr;
    const x = (gn * gn) / (g2n + eps);
    const mn = x !== x ? x : lr !== lr ? lr : x <= lr ? x : lr;
    p[i] = p[i]! - (gr * mn) / (Math.sqrt(g2n) + eps);
    mem[i] = 1 + m0 * (1 - x);
    gs[i] = gn;
    g2s[i] = g2n;
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
    if (f32 && wideForF32(eps)) {
      // numpy 1.x computes `g2' + eps` in float64, so x and the new `mem` (a fresh array, not an
      // in-place store) become float64: the state changes dtype, which a float32 buffer cannot hold.
      throw new RangeError(
        `js backend: SMORMS3 with eps=${eps} beyond float32's range turns the float32 state mem into float64 (numpy 1.x); run it through the spec`,
      );
    }
    sc[k * S] = lr;
    sc[k * S + 1] = eps;
    sc[k * S + 2] = f32 && wideForF32(lr) ? 1 : 0;
  }
  return sc;
}

export const smorms3Kernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "SMORMS3")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const mem = asF32(stateBuf(bufs, "mem"), "state mem");
      const gs = asF32(stateBuf(bufs, "g"), "state g");
      const g2s = asF32(stateBuf(bufs, "g2"), "state g2");
      const sc = prepare(segments, limitOf([p, g, mem, gs, g2s]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 2] === 1) specUpdateSegment(SMORMS3, dtype, bufs, seg);
        else smorms32(p, g, mem, gs, g2s, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const mem = asF64(stateBuf(bufs, "mem"), "state mem");
      const gs = asF64(stateBuf(bufs, "g"), "state g");
      const g2s = asF64(stateBuf(bufs, "g2"), "state g2");
      const sc = prepare(segments, limitOf([p, g, mem, gs, g2s]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        smorms64(p, g, mem, gs, g2s, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    }
  },
};
