/**
 * Per-parameter hook kernels of the Wasm backend (`assembly/hooks.ts`), one Wasm call per
 * multi-segment call. A float32 segment whose scalar is beyond float32's range (numpy 1.x then
 * computes in float64 and rounds once into the gradient) runs on the JS backend's kernel over
 * views of the same memory.
 */
import { type HookKernel, type HookSegment, syncResult } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { type JsBuffer, wideForF32 } from "../js/memory.js";
import { jsHooks } from "../js/hooks.js";
import type { WasmBuffer, WasmHeap } from "./memory.js";
import { exported } from "./instance.js";
import { wasmDtype } from "./optimizers.js";
import { RowScratch, pack, runRows } from "./segment-table.js";

type Export = (...args: number[]) => void;

function scalar(seg: HookSegment, name: string, hook: string): number {
  const v = seg.scalars[name];
  if (typeof v !== "number") throw new TypeError(`wasm backend: ${hook} needs a number scalar ${name}`);
  return v;
}

interface HookLayout {
  readonly exportName: string;
  readonly usesParam: boolean;
  readonly usesNoise: boolean;
  /** Fills the row's scalars from `out[o]` (row slot 3); true when the segment is wide for float32. */
  readonly row: (seg: HookSegment, f32: boolean, out: Float64Array, o: number) => boolean;
}

const HOOK_LAYOUTS: Readonly<Record<string, HookLayout>> = {
  WeightDecay: {
    exportName: "weightDecay",
    usesParam: true,
    usesNoise: false,
    row: (seg, f32, out, o) => {
      const r = scalar(seg, "rate", "WeightDecay");
      out[o] = r;
      out[o + 1] = 1;
      return f32 && wideForF32(r);
    },
  },
  GradientLARS: {
    exportName: "gradientLars",
    usesParam: true,
    usesNoise: false,
    row: (seg, f32, out, o) => {
      const wd = scalar(seg, "weight_decay", "GradientLARS");
      const rate = scalar(seg, "rate", "GradientLARS");
      out[o] = wd;
      out[o + 1] = rate;
      return f32 && (wideForF32(wd) || wideForF32(rate));
    },
  },
  Lasso: {
    exportName: "lasso",
    usesParam: true,
    usesNoise: false,
    row: (seg, f32, out, o) => {
      const r = scalar(seg, "rate", "Lasso");
      out[o] = r;
      return f32 && wideForF32(r);
    },
  },
  GradientHardClipping: {
    exportName: "hardClip",
    usesParam: false,
    usesNoise: false,
    row: (seg, f32, out, o) => {
      const lo = seg.scalars["lower"] ?? null;
      const hi = seg.scalars["upper"] ?? null;
      out[o] = lo === null ? 0 : 1;
      out[o + 1] = lo ?? NaN;
      out[o + 2] = hi === null ? 0 : 1;
      out[o + 3] = hi ?? NaN;
      // One bound beyond float32's range makes the whole clip float64.
      return f32 && ((lo !== null && wideForF32(lo)) || (hi !== null && wideForF32(hi)));
    },
  },
  GradientNoise: { exportName: "addNoise", usesParam: false, usesNoise: true, row: () => false },
};

function hookKernel(
  heap: WasmHeap,
  name: string,
  layout: HookLayout,
  fallback: HookKernel<JsBuffer>,
): HookKernel<WasmBuffer> {
  const f32 = `${layout.exportName}_f32`;
  const f64 = `${layout.exportName}_f64`;
  exported<Export>(heap.exports, f32);
  exported<Export>(heap.exports, f64);
  const scratch = new RowScratch();
  return {
    apply(
      dtype: Dtype,
      bufs: { readonly param: WasmBuffer; readonly grad: WasmBuffer; readonly noise?: WasmBuffer },
      segments: readonly HookSegment[],
    ): void {
      const d = wasmDtype(dtype, name);
      const grad = heap.check(bufs.grad, d, "grad");
      const ptrs = [grad.ptr];
      let limit = grad.length;
      let param: WasmBuffer | undefined;
      let noise: WasmBuffer | undefined;
      if (layout.usesParam) {
        param = heap.check(bufs.param, d, "param");
        limit = Math.min(limit, param.length);
        ptrs.push(param.ptr);
      }
      if (layout.usesNoise) {
        if (bufs.noise === undefined) throw new TypeError(`wasm backend: ${name} needs a noise buffer`);
        noise = heap.check(bufs.noise, d, "noise");
        limit = Math.min(limit, noise.length);
        ptrs.push(noise.ptr);
      }
      const isF32 = d === "float32";
      const same = scratch.same(segments.length);
      for (let k = 0; k < segments.length; k++)
        same[k] = k > 0 && segments[k - 1]!.scalars === segments[k]!.scalars ? 1 : 0;
      const packed = pack(
        heap,
        scratch,
        segments,
        limit,
        (seg, rows, o) => {
          const wide = layout.row(seg, isF32, rows, o + 1);
          rows[o] = wide ? 1 : 0; // the row's spec slot
          return wide;
        },
        same,
      );
      const fn = heap.fn<Export>(isF32 ? f32 : f64);
      runRows(heap, packed, (table, count) => fn(...ptrs, table, count));
      if (packed.wideCount > 0) {
        const gv = heap.view(grad);
        const views = {
          param: param === undefined ? gv : heap.view(param),
          grad: gv,
          ...(noise === undefined ? {} : { noise: heap.view(noise) }),
        };
        for (let k = 0; k < segments.length; k++)
          if (packed.wide[k] === 1) syncResult(fallback.apply(dtype, views, [segments[k]!]), name);
      }
    },
  };
}

export function wasmHooks(heap: WasmHeap): Readonly<Record<string, HookKernel<WasmBuffer>>> {
  const out: Record<string, HookKernel<WasmBuffer>> = {};
  for (const [name, layout] of Object.entries(HOOK_LAYOUTS)) {
    const js = jsHooks[name];
    if (js === undefined) throw new TypeError(`wasm backend: no JS kernel for hook ${name}`);
    out[name] = hookKernel(heap, name, layout, js);
  }
  return out;
}
