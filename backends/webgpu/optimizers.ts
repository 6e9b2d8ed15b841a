/**
 * Optimizer kernels of the WebGPU backend. The shared scalar table (`backends/kernel-scalars.ts`)
 * validates every segment and computes its scalars from the optimizer's own declaration (nothing
 * written yet); segments whose Python-float scalars would widen numpy's dtype (`spec` = 1) are
 * updated on host copies by the JS backend (exact by construction); all the others take one
 * dispatch over the segment table; then the host results are written back.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { SEG_LENGTH, SEG_OFFSET, SEG_SPEC, ScalarTable } from "../kernel-scalars.js";
import { jsBackend } from "../js/index.js";
import { gpu } from "./device.js";
import { type WebgpuBuffer, asGpuBuffer, serialOn, settled } from "./memory.js";
import { type KernelSource, type TableRow, dispatch } from "./pipeline.js";
import { type OptimizerWgsl, OPTIMIZER_WGSL, kernelDef, optimizerSource } from "./optimizer-kernels.js";
import { readSlices, writeSlices } from "./host.js";

/** 4-byte stand-ins for absent optional states, one per device (WebGPU forbids binding one writable buffer twice). */
const standIns = new WeakMap<object, WebgpuBuffer>();

function standIn(): WebgpuBuffer {
  const ctx = gpu();
  let b = standIns.get(ctx);
  if (b === undefined || b.ctx.lost !== null) {
    b = {
      dtype: "float32",
      length: 1,
      ctx,
      check: null,
      buffer: ctx.device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE }),
    };
    standIns.set(ctx, b);
  }
  return b;
}

export function requireFloat32(dtype: Dtype, what: string): void {
  if (dtype !== "float32")
    throw new TypeError(
      `webgpu backend: ${what} does not compute ${dtype} (float32 only; float16 and float64 run through the spec)`,
    );
}

export interface KernelVariant {
  /** Replacement WGSL (wrong-kernel tests). */
  readonly source?: KernelSource;
  /** Rewrites a declared scalar's float64 value before upload (mistake variants, e.g. a dropped bias correction). */
  readonly scalar?: (name: string, value: number, seg: Segment) => number;
}

/** The contract's kernel for one optimizer kernel name, from its WGSL body. */
export function optimizerKernel(
  kernel: string,
  w: OptimizerWgsl,
  variant: KernelVariant = {},
): OptimizerKernel<WebgpuBuffer> {
  const found = jsBackend.optimizers[kernel];
  if (found === undefined) throw new TypeError(`webgpu backend: no host kernel for ${kernel}`);
  const js = found;
  const desc = kernelDef(kernel).kernelScalars;
  const source = variant.source ?? optimizerSource(kernel, w);
  const table = new ScalarTable(`webgpu backend: ${kernel}`, desc);
  const { field } = table.layout;
  const values = desc.scalars.filter((s) => s.role !== "flag").map((s) => ({ name: s.name, at: field[s.name]! }));
  const flags = desc.scalars.filter((s) => s.role === "flag").map((s) => field[s.name]!);
  return {
    update: (dtype: Dtype, bufs: OptimizerBuffers<unknown>, segments: readonly Segment[]): Promise<void> =>
      serialOn(bufs.param, () => run(dtype, bufs, segments)),
  };

  // Validation, host segments and the dispatch, in issue order on the device.
  async function run(dtype: Dtype, bufs: OptimizerBuffers<unknown>, segments: readonly Segment[]): Promise<void> {
    requireFloat32(dtype, kernel);
    const p = asGpuBuffer(bufs.param, "param");
    const g = asGpuBuffer(bufs.grad, "grad");
    const present: Record<string, WebgpuBuffer> = {};
    for (const [k, b] of Object.entries(bufs.state)) present[k] = asGpuBuffer(b, `state ${k}`);
    const bound = desc.states.map((s) => present[s.key] ?? standIn());
    const real = [p, g, ...Object.values(present)];
    const limit = Math.min(...real.map((b) => b.length));
    const sc = table.pack(dtype, segments, limit, present);
    const { stride } = table.layout;
    const rows: TableRow[] = [];
    const host: Segment[] = [];
    segments.forEach((seg, k) => {
      const o = k * stride;
      if (sc[o + SEG_SPEC] === 1) host.push(seg);
      else {
        rows.push({
          offset: sc[o + SEG_OFFSET]!,
          length: sc[o + SEG_LENGTH]!,
          scalars: values.map((v) =>
            Math.fround(variant.scalar ? variant.scalar(v.name, sc[o + v.at]!, seg) : sc[o + v.at]!),
          ),
          flags: flags.map((f) => sc[o + f] === 1),
        });
      }
    });
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
    await dispatch(p.ctx, source, [p, g, ...bound], rows);
    if (slices !== null)
      await writeSlices(
        [p, ...Object.values(present)],
        { arrays: [slices.arrays[0]!, ...slices.arrays.slice(2)], offsets: slices.offsets },
        host,
      );
  }
}

export function webgpuOptimizers(
  overrides: Readonly<Record<string, KernelSource>> = {},
): Record<string, OptimizerKernel<WebgpuBuffer>> {
  const out: Record<string, OptimizerKernel<WebgpuBuffer>> = {};
  for (const [name, w] of Object.entries(OPTIMIZER_WGSL)) {
    const source = overrides[name];
    out[name] = optimizerKernel(name, w, source !== undefined ? { source } : {});
  }
  return out;
}
