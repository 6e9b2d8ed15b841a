/**
 * Memory of the JS backend: plain `Float32Array` / `Float64Array` buffers (float16 is not computed
 * here; it runs through the spec). Also the small helpers every JS kernel shares: checking a
 * buffer's type and a segment's bounds, numpy 1.x value-based casting of Python-float scalars, and
 * the exact slow path for float32 segments whose scalars overflow float32.
 */
import type { Memory, OptimizerBuffers, Segment } from "../contract.js";
import { checkSegmentBounds } from "../kernel-scalars.js";
import { widensDtype } from "../../spec/optimizers/kernel-scalars.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import type { NDArray } from "../../spec/ndarray.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";

/** A buffer of the JS backend. */
export type JsBuffer = Float32Array | Float64Array;

/**
 * numpy 1.x value-based casting: a Python float meeting a float32 array is rounded to float32
 * first, unless it is finite and its magnitude exceeds float32's range; then the operation (and
 * every operation the result feeds, until it is stored into a float32 array) runs in float64.
 */
export function wideForF32(s: number): boolean {
  return widensDtype("float32", s);
}

function unsupported(dtype: string): never {
  throw new TypeError(`js backend: dtype ${dtype} is not computed by this backend (float16 runs through the spec)`);
}

export function asF32(buf: unknown, what: string): Float32Array {
  if (!(buf instanceof Float32Array))
    throw new TypeError(`js backend: ${what} must be a Float32Array for dtype float32`);
  return buf;
}

export function asF64(buf: unknown, what: string): Float64Array {
  if (!(buf instanceof Float64Array))
    throw new TypeError(`js backend: ${what} must be a Float64Array for dtype float64`);
  return buf;
}

/** Throws unless `[offset, offset + length)` lies within `[0, limit)`. */
export function checkSegment(offset: number, length: number, limit: number): void {
  checkSegmentBounds("js backend", offset, length, limit);
}

/** true for float32, false for float64; any other dtype is refused (float16 runs through the spec). */
export function isFloat32(dtype: Dtype, kernel: string): boolean {
  if (dtype === "float32") return true;
  if (dtype === "float64") return false;
  throw new TypeError(`js backend: ${kernel} does not compute ${dtype} (float16 runs through the spec)`);
}

function slice(dtype: Dtype, buf: JsBuffer, offset: number, length: number): NDArray {
  return { dtype, shape: [length], data: Float64Array.from(buf.subarray(offset, offset + length)) };
}

/**
 * The exact slow path: run the spec's own update on one segment and write the results back. Used
 * only for float32 segments where a Python-float scalar overflows float32, so that numpy 1.x's
 * promotion to float64 (which then propagates through every later intermediate) is reproduced by
 * construction. No ordinary hyperparameter takes this path.
 */
export function specUpdateSegment(
  def: OptimizerDef,
  dtype: Dtype,
  bufs: OptimizerBuffers<JsBuffer>,
  seg: Segment,
): void {
  const { offset, length } = seg;
  const state: Record<string, NDArray> = {};
  for (const [k, b] of Object.entries(bufs.state)) state[k] = slice(dtype, b, offset, length);
  const r = def.update({
    path: "",
    param: slice(dtype, bufs.param, offset, length),
    grad: slice(dtype, bufs.grad, offset, length),
    state,
    hp: seg.hp,
    t: seg.t,
    extras: seg.extras,
  });
  for (const v of [r.param, ...Object.values(r.state)]) {
    if (v.dtype !== dtype) throw new TypeError(`js backend: ${def.name} would change a ${dtype} array to ${v.dtype}`);
  }
  bufs.param.set(r.param.data, offset);
  for (const [k, b] of Object.entries(bufs.state)) {
    const v = r.state[k];
    if (v !== undefined) b.set(v.data, offset);
  }
}

export const jsMemory: Memory<JsBuffer> = {
  alloc(dtype: Dtype, length: number): JsBuffer {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`js backend: invalid length ${length}`);
    if (dtype === "float32") return new Float32Array(length);
    if (dtype === "float64") return new Float64Array(length);
    return unsupported(dtype);
  },
  write(buf: JsBuffer, values: ArrayLike<number>, offset = 0): void {
    checkSegment(offset, values.length, buf.length);
    buf.set(values, offset);
  },
  read(buf: JsBuffer, offset = 0, length?: number): Float64Array {
    const n = length ?? buf.length - offset;
    checkSegment(offset, n, buf.length);
    const out = new Float64Array(n);
    out.set(buf.subarray(offset, offset + n));
    return out;
  },
  free(): void {
    // Garbage-collected: nothing to release.
  },
  view(buf: JsBuffer, offset: number, length: number): JsBuffer {
    checkSegment(offset, length, buf.length);
    return buf.subarray(offset, offset + length);
  },
};
