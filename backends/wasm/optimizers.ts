/**
 * Optimizer kernels of the Wasm backend: one Wasm call per multi-segment kernel call (per chunk of
 * the reserved segment table). Float32 segments whose scalars are beyond float32's range run on
 * the JS backend's kernel over views of the same memory, which takes the spec's own path for them
 * (`specUpdateSegment`), so they behave exactly as on the JS backend.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import type { JsBuffer } from "../js/memory.js";
import { type WasmBuffer, type WasmDtype, type WasmHeap } from "./memory.js";
import { exported } from "./instance.js";
import { type OptimizerLayout } from "./scalars.js";
import { RowScratch, pack, runRows } from "./segment-table.js";

type Export = (...args: number[]) => void;

export function wasmDtype(dtype: Dtype, what: string): WasmDtype {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`wasm backend: ${what} does not compute ${dtype} (float16 runs through the spec)`);
}

function sameExtras(a: Segment["extras"], b: Segment["extras"]): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.is(a[k], b[k])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/**
 * Segments whose scalars are the same by construction: one hyperparameter object (the spec's data
 * is immutable), the same `t` and equal extras.
 */
const sameRule = (a: Segment, b: Segment): boolean => a.hp === b.hp && a.t === b.t && sameExtras(a.extras, b.extras);

export function optimizerKernel(heap: WasmHeap, name: string, layout: OptimizerLayout, fallback: OptimizerKernel<JsBuffer>): OptimizerKernel<WasmBuffer> {
  const f32 = `${layout.exportName}_f32`;
  const f64 = `${layout.exportName}_f64`;
  exported<Export>(heap.exports, f32);
  exported<Export>(heap.exports, f64);
  const scratch = new RowScratch();
  return {
    update(dtype: Dtype, bufs: OptimizerBuffers<WasmBuffer>, segments: readonly Segment[]): void {
      const d = wasmDtype(dtype, name);
      const param = heap.check(bufs.param, d, "param");
      const grad = heap.check(bufs.grad, d, "grad");
      let limit = Math.min(param.length, grad.length);
      const ptrs = [param.ptr, grad.ptr];
      const present: Record<string, WasmBuffer> = {};
      for (const key of layout.states) {
        const b = bufs.state[key];
        if (b === undefined) {
          if (key === layout.optional) continue;
          throw new TypeError(`wasm backend: state buffer ${JSON.stringify(key)} is missing`);
        }
        present[key] = heap.check(b, d, `state ${key}`);
        limit = Math.min(limit, b.length);
      }
      for (const key of layout.states) {
        // An absent optional state is never touched (its flag is off); the first state stands in.
        ptrs.push((present[key] ?? present[layout.states[0]!]!).ptr);
      }
      const isF32 = d === "float32";
      const hasState = (key: string): boolean => present[key] !== undefined;
      const packed = pack(heap, scratch, segments, limit, (seg, rows, o) => layout.row(seg, isF32, rows, o, hasState), sameRule);
      const fn = heap.fn<Export>(isF32 ? f32 : f64);
      runRows(heap, packed, (table, count) => fn(...ptrs, table, count));
      if (packed.wideCount > 0) {
        const views = { param: heap.view(param), grad: heap.view(grad), state: {} as Record<string, JsBuffer> };
        for (const [k, b] of Object.entries(present)) views.state[k] = heap.view(b);
        for (let k = 0; k < segments.length; k++) if (packed.wide[k] === 1) fallback.update(dtype, views, [segments[k]!]);
      }
    },
  };
}
