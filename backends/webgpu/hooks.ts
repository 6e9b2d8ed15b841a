/**
 * Per-parameter hook kernels of the WebGPU backend, in the spec's order of operations (the same as
 * the JS backend's, see `backends/js/hooks.ts`): WeightDecay, Lasso, GradientHardClipping,
 * GradientNoise, GradientLARS. A segment whose scalar overflows float32 (numpy would compute it in
 * float64) goes through the JS kernel on host copies.
 */
import type { HookKernel, HookSegment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { jsHooks } from "../js/hooks.js";
import { wideForF32 } from "../js/memory.js";
import { type WebgpuBuffer, asGpuBuffer, checkRange, serialOn, settled } from "./memory.js";
import { type KernelSource, type TableRow, dispatch } from "./pipeline.js";
import { requireFloat32 } from "./optimizers.js";
import { readSlices, writeSlices } from "./host.js";

interface HookWgsl {
  readonly source: KernelSource;
  /** Which of the call's buffers are bound, in `source.arrays` order. */
  readonly uses: readonly ("param" | "grad" | "noise")[];
  /** Scalars (float64, null when absent) and flags of a segment; throws on a missing scalar. */
  scalarsOf(seg: HookSegment): { scalars: number[]; flags: boolean[] };
}

function need(seg: HookSegment, key: string, hook: string): number {
  const v = seg.scalars[key];
  if (typeof v !== "number") throw new TypeError(`webgpu backend: ${hook} needs a number scalar ${key}`);
  return v;
}

const src = (name: string, arrays: string[], scalars: string[], body: string, flags: string[] = []): KernelSource => ({
  name,
  arrays,
  scalars,
  flags,
  body,
});

export const HOOK_WGSL: Readonly<Record<string, HookWgsl>> = {
  /** @see hooks.weight-decay */
  WeightDecay: {
    source: src("WeightDecay", ["p", "g"], ["rate"], `    g[i] = g[i] + rate * p[i];`),
    uses: ["param", "grad"],
    scalarsOf: (s) => ({ scalars: [need(s, "rate", "WeightDecay")], flags: [] }),
  },
  /** @see hooks.lasso */
  Lasso: {
    source: src("Lasso", ["p", "g"], ["rate"], `    g[i] = g[i] + rate * np_sign(p[i]);`),
    uses: ["param", "grad"],
    scalarsOf: (s) => ({ scalars: [need(s, "rate", "Lasso")], flags: [] }),
  },
  /** @see hooks.gradient-hard-clipping */
  GradientHardClipping: {
    source: src(
      "GradientHardClipping",
      ["g"],
      ["lo", "hi"],
      `    var x = g[i];
    if (has_lo) { x = np_max(x, lo); }
    if (has_hi) { x = np_min(x, hi); }
    g[i] = x;`,
      ["has_lo", "has_hi"],
    ),
    uses: ["grad"],
    scalarsOf: (s) => {
      const lo = s.scalars["lower"] ?? null;
      const hi = s.scalars["upper"] ?? null;
      return { scalars: [lo ?? 0, hi ?? 0], flags: [lo !== null, hi !== null] };
    },
  },
  /** @see hooks.gradient-noise */
  GradientNoise: {
    source: src("GradientNoise", ["g", "n"], [], `    g[i] = g[i] + n[i];`),
    uses: ["grad", "noise"],
    scalarsOf: () => ({ scalars: [], flags: [] }),
  },
  /** @see hooks.gradient-lars.apply */
  GradientLARS: {
    source: src("GradientLARS", ["p", "g"], ["wd", "rate"], `    g[i] = (g[i] + wd * p[i]) * rate;`),
    uses: ["param", "grad"],
    scalarsOf: (s) => ({
      scalars: [need(s, "weight_decay", "GradientLARS"), need(s, "rate", "GradientLARS")],
      flags: [],
    }),
  },
};

function hookKernel(name: string, w: HookWgsl, source: KernelSource): HookKernel<WebgpuBuffer> {
  const found = jsHooks[name];
  if (found === undefined) throw new TypeError(`webgpu backend: no host kernel for hook ${name}`);
  const js = found;
  return {
    apply: (
      dtype: Dtype,
      bufs: { readonly param: unknown; readonly grad: unknown; readonly noise?: unknown },
      segments: readonly HookSegment[],
    ): Promise<void> => serialOn(bufs.grad, () => run(dtype, bufs, segments)),
  };

  async function run(
    dtype: Dtype,
    bufs: { readonly param: unknown; readonly grad: unknown; readonly noise?: unknown },
    segments: readonly HookSegment[],
  ): Promise<void> {
    requireFloat32(dtype, name);
    if (w.uses.includes("noise") && bufs.noise === undefined)
      throw new TypeError(`webgpu backend: ${name} needs a noise buffer`);
    const bound = w.uses.map((u) => asGpuBuffer(bufs[u], u));
    const limit = Math.min(...bound.map((b) => b.length));
    const rows: TableRow[] = [];
    const host: HookSegment[] = [];
    for (const seg of segments) {
      checkRange(seg.offset, seg.length, limit);
      const s = w.scalarsOf(seg);
      if (s.scalars.some((x, j) => (s.flags[j] ?? true) && wideForF32(x))) host.push(seg);
      else rows.push({ offset: seg.offset, length: seg.length, scalars: s.scalars.map(Math.fround), flags: s.flags });
    }
    await settled(bound);
    let slices = null;
    if (host.length > 0) {
      slices = await readSlices(bound, host);
      const at = (u: "param" | "grad" | "noise") => slices!.arrays[w.uses.indexOf(u)];
      const param = at("param") ?? new Float32Array(slices.arrays[0]!.length);
      const noise = at("noise");
      await js.apply(
        dtype,
        { param, grad: at("grad")!, ...(noise ? { noise } : {}) },
        host.map((seg, j) => ({ ...seg, offset: slices!.offsets[j]! })),
      );
    }
    await dispatch(bound[0]!.ctx, source, bound, rows);
    if (slices !== null) {
      const gi = w.uses.indexOf("grad");
      await writeSlices([bound[gi]!], { arrays: [slices.arrays[gi]!], offsets: slices.offsets }, host);
    }
  }
}

export function webgpuHooks(
  overrides: Readonly<Record<string, KernelSource>> = {},
): Record<string, HookKernel<WebgpuBuffer>> {
  const out: Record<string, HookKernel<WebgpuBuffer>> = {};
  for (const [name, w] of Object.entries(HOOK_WGSL)) out[name] = hookKernel(name, w, overrides[name] ?? w.source);
  return out;
}
