/// <reference types="@webgpu/types" />
/**
 * One WGSL compute kernel over a segment table: a single dispatch updates every segment of a call.
 *
 * The table is a storage buffer of u32 words: `[count, (offset, length, scalars…, flags…)…]`, the
 * scalars as float32 bit patterns already rounded by the host exactly as numpy rounds a Python
 * float meeting a float32 array. Workgroup `(x, y, z)` serves segment `y + z·ny` (so more than
 * 65,535 segments still take one dispatch) and walks its elements with a grid stride, so a segment
 * of any length needs at most `MAX_X` workgroups across.
 */
import type { GpuContext } from "./device.js";
import { type WebgpuBuffer, scoped } from "./memory.js";

export const WORKGROUP = 64;
const MAX_X = 1024;
const MAX_Y = 65535;

/** The WGSL source of a kernel, before it is wrapped into the segment loop. */
export interface KernelSource {
  /** A label for errors and pipeline caching. */
  readonly name: string;
  /** Storage arrays, bound in this order from binding 1 (binding 0 is the table). */
  readonly arrays: readonly string[];
  /** Per-segment float32 scalars, in table order. */
  readonly scalars: readonly string[];
  /** Per-segment u32 flags, after the scalars. */
  readonly flags: readonly string[];
  /** WGSL statements for element `i` (a u32 index into every array). */
  readonly body: string;
  /**
   * The loop bound of the segment walk; only a wrong-kernel test changes it (`<=` runs one
   * element past the segment's end).
   */
  readonly bound?: "<" | "<=";
}

/** numpy's NaN-propagating maximum/minimum and sign, written out (WGSL's max/min leave NaN unspecified). */
const HELPERS = /* wgsl */ `
fn np_max(a: f32, b: f32) -> f32 { if (a != a) { return a; } if (b != b) { return b; } return select(b, a, a >= b); }
fn np_min(a: f32, b: f32) -> f32 { if (a != a) { return a; } if (b != b) { return b; } return select(b, a, a <= b); }
fn np_sign(x: f32) -> f32 { if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } if (x == 0.0) { return 0.0; } return x; }
`;

export function wgslOf(k: KernelSource): string {
  const stride = 2 + k.scalars.length + k.flags.length;
  const bindings = k.arrays
    .map((a, j) => `@group(0) @binding(${j + 1}) var<storage, read_write> ${a}: array<f32>;`)
    .join("\n");
  const scalars = k.scalars.map((s, j) => `  let ${s} = bitcast<f32>(tab[seg_b + ${2 + j}u]);`).join("\n");
  const flags = k.flags.map((f, j) => `  let ${f} = tab[seg_b + ${2 + k.scalars.length + j}u] != 0u;`).join("\n");
  return `// ${k.name}
@group(0) @binding(0) var<storage, read> tab: array<u32>;
${bindings}
${HELPERS}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let seg_k = wid.y + wid.z * nwg.y;
  if (seg_k >= tab[0]) { return; }
  let seg_b = 1u + seg_k * ${stride}u;
  let seg_off = tab[seg_b];
  let seg_len = tab[seg_b + 1u];
${scalars}
${flags}
  let seg_stride = nwg.x * ${WORKGROUP}u;
  for (var seg_j = wid.x * ${WORKGROUP}u + lid; seg_j ${k.bound ?? "<"} seg_len; seg_j = seg_j + seg_stride) {
    let i = seg_off + seg_j;
${k.body}
  }
}
`;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipelineFor(ctx: GpuContext, code: string, label: string): GPUComputePipeline {
  let cache = pipelines.get(ctx.device);
  if (cache === undefined) pipelines.set(ctx.device, (cache = new Map()));
  let p = cache.get(code);
  if (p === undefined) {
    const module = ctx.device.createShaderModule({ code, label });
    p = ctx.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label });
    cache.set(code, p);
  }
  return p;
}

/** One row of the table: offset, length, float32 scalars (already rounded), flags. */
export interface TableRow {
  readonly offset: number;
  readonly length: number;
  readonly scalars: readonly number[];
  readonly flags: readonly boolean[];
}

function encodeTable(k: KernelSource, rows: readonly TableRow[]): Uint32Array {
  const stride = 2 + k.scalars.length + k.flags.length;
  const words = new Uint32Array(1 + rows.length * stride);
  const f = new Float32Array(words.buffer);
  words[0] = rows.length;
  rows.forEach((r, n) => {
    const b = 1 + n * stride;
    words[b] = r.offset;
    words[b + 1] = r.length;
    r.scalars.forEach((s, j) => (f[b + 2 + j] = s));
    r.flags.forEach((x, j) => (words[b + 2 + k.scalars.length + j] = x ? 1 : 0));
  });
  return words;
}

/**
 * Submits one compute dispatch of `code` with `buffers` bound from binding 0, inside error scopes
 * (a rejected command, an out-of-memory or a lost device surfaces as its named error).
 */
export async function submitCompute(
  ctx: GpuContext,
  code: string,
  label: string,
  buffers: readonly GPUBuffer[],
  groups: readonly [number, number, number],
): Promise<void> {
  const { device } = ctx;
  await scoped(ctx, label, () => {
    const pipeline = pipelineFor(ctx, code, label);
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, j) => ({ binding: j, resource: { buffer } }));
    const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...groups);
    pass.end();
    device.queue.submit([enc.finish()]);
  });
  // A call returns once the device has done the work (error scopes may settle earlier): a step's
  // time is its execution, and work never piles up unboundedly behind a caller that loops.
  await device.queue.onSubmittedWorkDone();
  if (ctx.lost !== null) throw ctx.lost;
}

/** A small storage buffer holding `words` (a segment table or a reduction's parameters). */
export function uploadWords(ctx: GpuContext, words: Uint32Array, extraUsage = 0): GPUBuffer {
  const b = ctx.device.createBuffer({
    size: Math.max(4, words.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage,
  });
  ctx.device.queue.writeBuffer(b, 0, words);
  return b;
}

/** Runs one dispatch of kernel `k` over `rows`, with `arrays` bound in `k.arrays` order. */
export async function dispatch(
  ctx: GpuContext,
  k: KernelSource,
  arrays: readonly WebgpuBuffer[],
  rows: readonly TableRow[],
): Promise<void> {
  let longest = 0;
  for (const r of rows) longest = Math.max(longest, r.length);
  if (rows.length === 0 || longest === 0) return;
  const table = uploadWords(ctx, encodeTable(k, rows));
  try {
    const y = Math.min(rows.length, MAX_Y);
    const groups: [number, number, number] = [
      Math.min(MAX_X, Math.ceil(longest / WORKGROUP)),
      y,
      Math.ceil(rows.length / y),
    ];
    await submitCompute(ctx, wgslOf(k), `the ${k.name} kernel`, [table, ...arrays.map((a) => a.buffer)], groups);
  } finally {
    table.destroy(); // released once the submitted work is done
  }
}
