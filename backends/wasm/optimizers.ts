/**
 * Optimizer kernels of the Wasm backend: one Wasm call per multi-segment kernel call (per chunk of
 * the reserved segment table). The scalars come from the shared kernel-scalar table
 * (`backends/kernel-scalars.ts`), computed once per run of consecutive segments that share a rule
 * (one hyperparameter object, `t` and equal extras). Segments marked `spec` (float32 scalars
 * beyond float32's range) run on the JS backend's kernel over views of the same memory, which
 * takes the spec's own path for them, so they behave exactly as on the JS backend.
 */
import { type OptimizerBuffers, type OptimizerKernel, type Segment, syncResult } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import { SEG_SPEC, ScalarTable } from "../kernel-scalars.js";
import type { JsBuffer } from "../js/memory.js";
import { type WasmBuffer, type WasmDtype, type WasmHeap } from "./memory.js";
import { exported } from "./instance.js";
import { type OptimizerLayout, checkLayout } from "./scalars.js";
import { RowScratch, pack, runRows } from "./segment-table.js";
import { sameRecord } from "../same-record.js";

type Export = (...args: number[]) => void;

export function wasmDtype(dtype: Dtype, what: string): WasmDtype {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`wasm backend: ${what} does not compute ${dtype} (float16 runs through the spec)`);
}

/**
 * Segments whose scalars are the same by construction: one hyperparameter object (the spec's data
 * is immutable), the same `t` and equal extras.
 */
function sameRule(a: Segment, b: Segment): boolean {
  return a.hp === b.hp && a.t === b.t && (a.extras === b.extras || sameRecord(a.extras, b.extras));
}

export function optimizerKernel(
  heap: WasmHeap,
  def: OptimizerDef,
  layout: OptimizerLayout,
  fallback: OptimizerKernel<JsBuffer>,
): OptimizerKernel<WasmBuffer> {
  checkLayout(def, layout);
  const name = def.kernel ?? def.name;
  const table = new ScalarTable(`wasm backend: ${name}`, def.kernelScalars!);
  const stride = table.layout.stride;
  const states = def.kernelScalars!.states.map((n) => n.key);
  const f32 = `${layout.exportName}_f32`;
  const f64 = `${layout.exportName}_f64`;
  exported<Export>(heap.exports, f32);
  exported<Export>(heap.exports, f64);
  const scratch = new RowScratch();
  const reps: Segment[] = [];
  return {
    update(dtype: Dtype, bufs: OptimizerBuffers<WasmBuffer>, segments: readonly Segment[]): void {
      const d = wasmDtype(dtype, name);
      const param = heap.check(bufs.param, d, "param");
      const grad = heap.check(bufs.grad, d, "grad");
      let limit = Math.min(param.length, grad.length);
      const present: Record<string, WasmBuffer> = {};
      for (const key of states) {
        const b = bufs.state[key];
        if (b === undefined) continue; // the table says whether a segment needs it
        present[key] = heap.check(b, d, `state ${key}`);
        limit = Math.min(limit, b.length);
      }
      const ptrs = [param.ptr, grad.ptr];
      // An absent state is never touched (its flag is off in every row); param stands in.
      for (const key of states) ptrs.push((present[key] ?? param).ptr);
      // The shared table computes and validates the first segment of each run sharing a rule.
      reps.length = 0;
      const same = scratch.same(segments.length);
      for (let k = 0; k < segments.length; k++) {
        const s = k > 0 && sameRule(segments[k - 1]!, segments[k]!);
        same[k] = s ? 1 : 0;
        if (!s) reps.push(segments[k]!);
      }
      const shared = table.pack(dtype, reps, limit, present);
      let rep = -1;
      const packed = pack(
        heap,
        scratch,
        segments,
        limit,
        (_seg, rows, o) => {
          const src = ++rep * stride;
          for (let j = SEG_SPEC; j < stride; j++) rows[o + j - 2] = shared[src + j]!;
          return shared[src + SEG_SPEC] === 1;
        },
        same,
      );
      const fn = heap.fn<Export>(d === "float32" ? f32 : f64);
      runRows(heap, packed, (tab, count) => fn(...ptrs, tab, count));
      if (packed.wideCount > 0) {
        const views = { param: heap.view(param), grad: heap.view(grad), state: {} as Record<string, JsBuffer> };
        for (const [k, b] of Object.entries(present)) views.state[k] = heap.view(b);
        for (let k = 0; k < segments.length; k++)
          if (packed.wide[k] === 1) syncResult(fallback.update(dtype, views, [segments[k]!]), def.name);
      }
    },
  };
}
