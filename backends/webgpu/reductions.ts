/// <reference types="@webgpu/types" />
/**
 * Reductions of the WebGPU backend.
 *
 * - `sumSquares`: `numerics.dot.sequential` fixes the order (a sequential loop, every product and
 *   sum rounded), so one invocation walks the segment; no parallel tree could keep Chainer's value.
 * - `allFinite`: every invocation tests exponent bits (no NaN comparisons, whose WGSL behaviour is
 *   unspecified) and raises a shared flag.
 * - `scale`: `x ← x·D(rate)` as a segment kernel; a rate beyond float32 goes through the host.
 * Each returns after reading back one word; nothing else leaves the device.
 */
import { type Reductions, syncResult } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { jsReductions } from "../js/reductions.js";
import { wideForF32 } from "../js/memory.js";
import { type WebgpuBuffer, asGpuBuffer, checkRange, readBytes, serialOn, settled } from "./memory.js";
import { type KernelSource, WORKGROUP, dispatch, submitCompute, uploadWords } from "./pipeline.js";
import { requireFloat32 } from "./optimizers.js";
import { readSlices, writeSlices } from "./host.js";

const SUM_SQUARES = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> io: array<u32>;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(1)
fn main() {
  let off = io[0];
  let len = io[1];
  var acc = 0.0f;
  for (var j = 0u; j < len; j = j + 1u) {
    let v = x[off + j];
    acc = acc + v * v;
  }
  io[2] = bitcast<u32>(acc);
}
`;

const ALL_FINITE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> io: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let off = atomicLoad(&io[0]);
  let len = atomicLoad(&io[1]);
  for (var j = gid.x; j < len; j = j + nwg.x * ${WORKGROUP}u) {
    if ((bitcast<u32>(x[off + j]) & 0x7f800000u) == 0x7f800000u) { atomicStore(&io[2], 1u); }
  }
}
`;

const SCALE: KernelSource = {
  name: "scale",
  arrays: ["x"],
  scalars: ["rate"],
  flags: [],
  body: `    x[i] = x[i] * rate;`,
};

/** Runs a one-segment reduction shader and returns the third word of its io buffer. */
async function reduceWord(
  code: string,
  label: string,
  b: WebgpuBuffer,
  offset: number,
  length: number,
  groups: number,
): Promise<number> {
  const io = uploadWords(b.ctx, Uint32Array.of(offset, length, 0), GPUBufferUsage.COPY_SRC);
  try {
    await submitCompute(b.ctx, code, label, [io, b.buffer], [groups, 1, 1]);
    return new Uint32Array(await readBytes(b.ctx, io, 8, 4))[0]!;
  } finally {
    io.destroy();
  }
}

const reductionsNow = {
  async sumSquares(dtype: Dtype, buf: WebgpuBuffer, offset: number, length: number): Promise<number> {
    requireFloat32(dtype, "sumSquares");
    const b = asGpuBuffer(buf, "buffer");
    checkRange(offset, length, b.length);
    await settled([b]);
    if (length === 0) return 0;
    const bits = await reduceWord(SUM_SQUARES, "sumSquares", b, offset, length, 1);
    return new Float32Array(Uint32Array.of(bits).buffer)[0]!;
  },
  async allFinite(dtype: Dtype, buf: WebgpuBuffer, offset: number, length: number): Promise<boolean> {
    requireFloat32(dtype, "allFinite");
    const b = asGpuBuffer(buf, "buffer");
    checkRange(offset, length, b.length);
    await settled([b]);
    if (length === 0) return true;
    return (
      (await reduceWord(ALL_FINITE, "allFinite", b, offset, length, Math.min(1024, Math.ceil(length / WORKGROUP)))) ===
      0
    );
  },
  async scale(dtype: Dtype, buf: WebgpuBuffer, offset: number, length: number, rate: number): Promise<void> {
    requireFloat32(dtype, "scale");
    const b = asGpuBuffer(buf, "buffer");
    checkRange(offset, length, b.length);
    await settled([b]);
    if (wideForF32(rate)) {
      const r = [{ offset, length }];
      const s = await readSlices([b], r);
      syncResult(jsReductions.scale(dtype, s.arrays[0]!, 0, length, rate), "scale");
      await writeSlices([b], s, r);
      return;
    }
    await dispatch(b.ctx, SCALE, [b], [{ offset, length, scalars: [Math.fround(rate)], flags: [] }]);
  },
};

/** Each reduction in issue order on the buffer's device. */
export const webgpuReductions: Reductions<WebgpuBuffer> = {
  sumSquares: (dtype, buf, offset, length) => serialOn(buf, () => reductionsNow.sumSquares(dtype, buf, offset, length)),
  allFinite: (dtype, buf, offset, length) => serialOn(buf, () => reductionsNow.allFinite(dtype, buf, offset, length)),
  scale: (dtype, buf, offset, length, rate) =>
    serialOn(buf, () => reductionsNow.scale(dtype, buf, offset, length, rate)),
};
