/**
 * AdaDelta (`adadelta.update`), each operation rounded to D:
 *
 *   msg  ← msg·D(rho);  msg ← msg + ((D(1−rho)·g)·g)
 *   dx   = sqrt((msdx + D(eps)) / (msg + D(eps)))·g        (the old msdx)
 *   msdx ← msdx·D(rho); msdx ← msdx + ((D(1−rho)·dx)·dx)
 *   p    ← p − dx
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../../contract.js";
import type { Dtype } from "../../../spec/numerics/dtype.js";
import { num } from "../../../spec/hyperparam.js";
import { AdaDelta } from "../../../spec/optimizers/ada-delta.js";
import { type JsBuffer, Scratch, asF32, asF64, checkSegment, isFloat32, limitOf, specUpdateSegment, stateBuf, wideForF32 } from "../memory.js";

function adaDelta32(
  p: Float32Array,
  g: Float32Array,
  msg: Float32Array,
  msdx: Float32Array,
  start: number,
  end: number,
  rho: number,
  eps: number,
): void {
  const rhoD = Math.fround(rho);
  const cD = Math.fround(1 - rho);
  const epsD = Math.fround(eps);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msgi = Math.fround(Math.fround(msg[i]! * rhoD) + Math.fround(Math.fround(cD * gi) * gi));
    msg[i] = msgi;
    const sd = msdx[i]!;
    const dx = Math.fround(Math.fround(Math.sqrt(Math.fround(Math.fround(sd + epsD) / Math.fround(msgi + epsD)))) * gi);
    msdx[i] = Math.fround(Math.fround(sd * rhoD) + Math.fround(Math.fround(cD * dx) * dx));
    p[i] = Math.fround(p[i]! - dx);
  }
}

function adaDelta64(
  p: Float64Array,
  g: Float64Array,
  msg: Float64Array,
  msdx: Float64Array,
  start: number,
  end: number,
  rho: number,
  eps: number,
): void {
  const c = 1 - rho;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const msgi = msg[i]! * rho + c * gi * gi;
    msg[i] = msgi;
    const sd = msdx[i]!;
    const dx = Math.sqrt((sd + eps) / (msgi + eps)) * gi;
    msdx[i] = sd * rho + c * dx * dx;
    p[i] = p[i]! - dx;
  }
}

/** Scalars per segment: rho, eps, wide. */
const S = 3;
const scratch = new Scratch();

function prepare(segments: readonly Segment[], limit: number, f32: boolean): Float64Array {
  const sc = scratch.need(segments.length * S);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkSegment(seg.offset, seg.length, limit);
    const rho = num(seg.hp, "rho");
    const eps = num(seg.hp, "eps");
    sc[k * S] = rho;
    sc[k * S + 1] = eps;
    sc[k * S + 2] = f32 && (wideForF32(rho) || wideForF32(1 - rho) || wideForF32(eps)) ? 1 : 0;
  }
  return sc;
}

export const adaDeltaKernel: OptimizerKernel<JsBuffer> = {
  update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
    if (isFloat32(dtype, "AdaDelta")) {
      const p = asF32(bufs.param, "param");
      const g = asF32(bufs.grad, "grad");
      const msg = asF32(stateBuf(bufs, "msg"), "state msg");
      const msdx = asF32(stateBuf(bufs, "msdx"), "state msdx");
      const sc = prepare(segments, limitOf([p, g, msg, msdx]), true);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        if (sc[k * S + 2] === 1) specUpdateSegment(AdaDelta, dtype, bufs, seg);
        else adaDelta32(p, g, msg, msdx, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    } else {
      const p = asF64(bufs.param, "param");
      const g = asF64(bufs.grad, "grad");
      const msg = asF64(stateBuf(bufs, "msg"), "state msg");
      const msdx = asF64(stateBuf(bufs, "msdx"), "state msdx");
      const sc = prepare(segments, limitOf([p, g, msg, msdx]), false);
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        adaDelta64(p, g, msg, msdx, seg.offset, seg.offset + seg.length, sc[k * S]!, sc[k * S + 1]!);
      }
    }
  },
};
