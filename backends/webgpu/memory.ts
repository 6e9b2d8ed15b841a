/// <reference types="@webgpu/types" />
/**
 * Memory of the WebGPU backend: one storage buffer per array, resident on the device for the life
 * of a run. `write` queues an upload (ordered before every later dispatch); `read` copies into a
 * mappable staging buffer and maps it, the only point where data comes back to the host.
 */
import type { Memory } from "../contract.js";
import { checkSegmentBounds } from "../kernel-scalars.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { type GpuContext, gpu, serial } from "./device.js";
import { WebgpuOutOfMemoryError, WebgpuValidationError } from "./errors.js";

export interface WebgpuBuffer {
  readonly dtype: Dtype;
  readonly length: number;
  readonly buffer: GPUBuffer;
  readonly ctx: GpuContext;
  /** The allocation's error check, settled by the next call that uses the buffer. */
  check: Promise<void> | null;
}

export function asGpuBuffer(b: unknown, what: string): WebgpuBuffer {
  if (typeof b !== "object" || b === null || !("buffer" in b) || !("ctx" in b))
    throw new TypeError(`webgpu backend: ${what} is not a buffer of this backend`);
  const w = b as WebgpuBuffer;
  if (w.dtype !== "float32")
    throw new TypeError(`webgpu backend: ${what} holds ${w.dtype}; this backend computes float32 only`);
  if (w.ctx.lost !== null) throw w.ctx.lost;
  return w;
}

/** Waits for the allocation checks of `bufs` (an out-of-memory surfaces here, before any write). */
export async function settled(bufs: readonly WebgpuBuffer[]): Promise<void> {
  for (const b of bufs) {
    if (b.check !== null) {
      const c = b.check;
      b.check = null;
      await c;
    }
  }
}

/** Throws unless `[offset, offset + length)` lies within `[0, limit)`. */
export function checkRange(offset: number, length: number, limit: number): void {
  checkSegmentBounds("webgpu backend", offset, length, limit);
}

/** Runs `fn` inside validation and out-of-memory error scopes and throws the named error. */
export async function scoped<T>(ctx: GpuContext, what: string, fn: () => T): Promise<T> {
  ctx.device.pushErrorScope("out-of-memory");
  ctx.device.pushErrorScope("validation");
  const out = fn();
  const validation = await ctx.device.popErrorScope();
  const oom = await ctx.device.popErrorScope();
  if (ctx.lost !== null) throw ctx.lost;
  if (oom !== null) throw new WebgpuOutOfMemoryError(`webgpu backend: out of device memory in ${what}: ${oom.message}`);
  if (validation !== null)
    throw new WebgpuValidationError(`webgpu backend: ${what} was rejected by the device: ${validation.message}`);
  return out;
}

/** Copies `bytes` bytes of a device buffer back to the host (a staging copy, then a map). */
export async function readBytes(
  ctx: GpuContext,
  src: GPUBuffer,
  byteOffset: number,
  bytes: number,
): Promise<ArrayBuffer> {
  const { device } = ctx;
  const staging = await scoped(ctx, "read", () => {
    const s = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(src, byteOffset, s, 0, bytes);
    device.queue.submit([enc.finish()]);
    return s;
  });
  try {
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0);
  } catch (err) {
    if (ctx.lost !== null) throw ctx.lost;
    throw err;
  } finally {
    if (staging.mapState === "mapped") staging.unmap();
    staging.destroy();
  }
}

/** Upload, not serialized (for callers already inside a serialized operation). */
export async function writeNow(buf: WebgpuBuffer, values: ArrayLike<number>, offset = 0): Promise<void> {
  const b = asGpuBuffer(buf, "buffer");
  checkRange(offset, values.length, b.length);
  await settled([b]);
  if (values.length === 0) return;
  const data = Float32Array.from(values);
  await scoped(b.ctx, "write", () => b.ctx.device.queue.writeBuffer(b.buffer, offset * 4, data));
}

/** Read back, not serialized. */
export async function readNow(buf: WebgpuBuffer, offset = 0, length?: number): Promise<Float64Array> {
  const b = asGpuBuffer(buf, "buffer");
  const n = length ?? b.length - offset;
  checkRange(offset, n, b.length);
  await settled([b]);
  if (n === 0) return new Float64Array(0);
  return Float64Array.from(new Float32Array(await readBytes(b.ctx, b.buffer, offset * 4, n * 4)));
}

/** Runs `op` in issue order on the buffer's device (a buffer of another backend fails first, plainly). */
export function serialOn<T>(buf: unknown, op: () => Promise<T>): Promise<T> {
  let b: WebgpuBuffer;
  try {
    b = asGpuBuffer(buf, "buffer");
  } catch (err) {
    return Promise.reject(err);
  }
  return serial(b.ctx, op);
}

export const webgpuMemory: Memory<WebgpuBuffer> = {
  alloc(dtype: Dtype, length: number): WebgpuBuffer {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`webgpu backend: invalid length ${length}`);
    if (dtype !== "float32")
      throw new TypeError(`webgpu backend: does not compute ${dtype} (float32 only; others run through the spec)`);
    const ctx = gpu();
    const bytes = Math.max(4, length * 4);
    const max = Math.min(ctx.device.limits.maxBufferSize, ctx.device.limits.maxStorageBufferBindingSize);
    if (bytes > max)
      throw new WebgpuOutOfMemoryError(
        `webgpu backend: ${length} float32 elements (${bytes} bytes) exceed the device's largest buffer (${max} bytes)`,
      );
    ctx.device.pushErrorScope("out-of-memory");
    const buffer = ctx.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const check = ctx.device.popErrorScope().then((e) => {
      if (e !== null) throw new WebgpuOutOfMemoryError(`webgpu backend: cannot allocate ${bytes} bytes: ${e.message}`);
    });
    check.catch(() => undefined); // reported by the next call that uses the buffer
    return { dtype, length, buffer, ctx, check };
  },
  write: (buf: WebgpuBuffer, values: ArrayLike<number>, offset = 0): Promise<void> => {
    const copy = Array.from(values); // the caller may reuse its array before the write runs
    return serialOn(buf, () => writeNow(buf, copy, offset));
  },
  read: (buf: WebgpuBuffer, offset = 0, length?: number): Promise<Float64Array> =>
    serialOn(buf, () => readNow(buf, offset, length)),
  free(buf: WebgpuBuffer): void {
    // After everything issued before it (a queued kernel may still use the buffer).
    void serial(buf.ctx, async () => buf.buffer.destroy());
  },
};
