/**
 * Optimizer kernels of the WebGPU backend: validate every segment and compute its scalars (nothing
 * written yet), update the host-path segments on host copies, then one dispatch over the segment
 * table for all the others, then write the host results back.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { jsBackend } from "../js/index.js";
import { wideForF32 } from "../js/memory.js";
import { gpu } from "./device.js";
import { type WebgpuBuffer, asGpuBuffer, checkRange, settled } from "./memory.js";
import { type KernelSource, type TableRow, dispatch } from "./pipeline.js";
import { type OptimizerWgsl, OPTIMIZER_WGSL } from "./optimizer-kernels.js";
import { readSlices, writeSlices } from "./host.js";

/** 4-byte stand-ins for absent optional states, one per device (WebGPU forbids binding one writable buffer twice). */
const standIns = new WeakMap<object, WebgpuBuffer>();

function standIn(): WebgpuBuffer {
  const ctx = gpu();
  let b = standIns.get(ctx);
  if (b === undefined || b.ctx.lost !== null) {
    b = { dtype: "float32", length: 1, ctx, check: null, buffer: ctx.device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE }) };
    standIns.set(ctx, b);
  }
  return b;
}

export function requireFloat32(dtype: Dtype, what: string): void {
  if (dtype !== "float32") throw new TypeError(`webgpu backend: ${what} does not compute ${dtype} (float32 only; float16 and float64 run through the spec)`);
}

/** Builds the contract's kernel from a WGSL description (`source` may be replaced, for wrong-kernel tests). */
export function optimizerKernel(name: string, w: OptimizerWgsl, source: KernelSource = w.source): OptimizerKernel<WebgpuBuffer> {
  const js = jsBackend.optimizers[name];
  if (js === undefined) throw new TypeError(`webgpu backend: no host kernel for ${name}`);
  return {
    async update(dtype: Dtype, bufs: OptimizerBuffers<unknown>, segments: readonly Segment[]): Promise<void> {
      requireFloat32(dtype, name);
      const p = asGpuBuffer(bufs.param, "param");
      const g = asGpuBuffer(bufs.grad, "grad");
      const states: WebgpuBuffer[] = [];
      const present: Record<string, WebgpuBuffer> = {};
      for (const key of w.state) {
        const b = bufs.state[key];
        if (b === undefined) {
          if (!(w.optional ?? []).includes(key)) throw new TypeError(`webgpu backend: state buffer ${JSON.stringify(key)} is missing`);
          states.push(standIn());
        } else {
          states.push((present[key] = asGpuBuffer(b, `state ${key}`)));
        }
      }
      const real = [p, g, ...Object.values(present)];
      const limit = Math.min(...real.map((b) => b.length));
      const rows: TableRow[] = [];
      const host: Segment[] = [];
      for (const seg of segments) {
        checkRange(seg.offset, seg.length, limit);
        const s = w.scalarsOf(seg);
        if (name === "Adam" && s.flags[0] === true && present["vhat"] === undefined) throw new TypeError("webgpu backend: amsgrad is on but there is no state buffer vhat");
        if (s.scalars.some(wideForF32)) host.push(seg);
        else rows.push({ offset: seg.offset, length: seg.length, scalars: s.scalars.map(Math.fround), flags: s.flags });
      }
      await settled(real);
      // Host segments first, on copies: the JS kernel validates the whole call before it writes.
      const keys = Object.keys(present);
      let slices = null;
      if (host.length > 0) {
        slices = await readSlices(real, host);
        const [hp, hg, ...hs] = slices.arrays;
        const state: Record<string, Float32Array> = {};
        keys.forEach((key, j) => (state[key] = hs[j]!));
        const packed = host.map((seg, j) => ({ ...seg, offset: slices!.offsets[j]! }));
        await js.update(dtype, { param: hp!, grad: hg!, state }, packed);
      }
      await dispatch(p.ctx, source, [p, g, ...states], rows);
      if (slices !== null) await writeSlices([p, ...Object.values(present)], { arrays: [slices.arrays[0]!, ...slices.arrays.slice(2)], offsets: slices.offsets }, host);
    },
  };
}

export function webgpuOptimizers(overrides: Readonly<Record<string, KernelSource>> = {}): Record<string, OptimizerKernel<WebgpuBuffer>> {
  const out: Record<string, OptimizerKernel<WebgpuBuffer>> = {};
  for (const [name, w] of Object.entries(OPTIMIZER_WGSL)) out[name] = optimizerKernel(name, w, overrides[name] ?? w.source);
  return out;
}
