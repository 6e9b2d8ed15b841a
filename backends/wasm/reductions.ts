/**
 * Reductions of the Wasm backend (`assembly/reductions.ts`): `sumSquares` in the spec's sequential
 * order, `allFinite` and `scale` over lanes. A float32 `scale` whose rate is beyond float32's range
 * multiplies in float64 and rounds once (numpy 1.x), which the JS backend does over a view.
 */
import { type Reductions, syncResult } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { wideForF32 } from "../js/memory.js";
import { jsReductions } from "../js/reductions.js";
import { type WasmBuffer, type WasmHeap, checkRange, elementSize } from "./memory.js";
import { exported } from "./instance.js";
import { wasmDtype } from "./optimizers.js";

type Reduce = (x: number, n: number) => number;
type Scale = (x: number, n: number, rate: number) => void;

export function wasmReductions(heap: WasmHeap): Reductions<WasmBuffer> {
  for (const n of ["sumSquares", "allFinite", "scale"])
    for (const d of ["f32", "f64"]) exported<Reduce>(heap.exports, `${n}_${d}`);
  const names = (dtype: Dtype) =>
    dtype === "float32"
      ? { ss: "sumSquares_f32", fin: "allFinite_f32", scale: "scale_f32" }
      : { ss: "sumSquares_f64", fin: "allFinite_f64", scale: "scale_f64" };
  const at = (dtype: Dtype, what: string, buf: WasmBuffer, offset: number, length: number): number => {
    const d = wasmDtype(dtype, what);
    const b = heap.check(buf, d, "buffer");
    checkRange(offset, length, b.length);
    return b.ptr + offset * elementSize(d);
  };
  return {
    sumSquares(dtype, buf, offset, length): number {
      const ptr = at(dtype, "sumSquares", buf, offset, length);
      return heap.fn<Reduce>(names(dtype).ss)(ptr, length);
    },
    allFinite(dtype, buf, offset, length): boolean {
      const ptr = at(dtype, "allFinite", buf, offset, length);
      return heap.fn<Reduce>(names(dtype).fin)(ptr, length) !== 0;
    },
    scale(dtype, buf, offset, length, rate): void {
      const ptr = at(dtype, "scale", buf, offset, length);
      if (dtype === "float32" && wideForF32(rate))
        syncResult(jsReductions.scale(dtype, heap.view(buf), offset, length, rate), "scale");
      else heap.fn<Scale>(names(dtype).scale)(ptr, length, rate);
    },
  };
}
