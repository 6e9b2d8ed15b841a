/**
 * Fill and divide over many spans (`Elementwise` in the contract), for resident runs: the JS
 * backend's exact loops over views of linear memory. They run once per step at most (zeroing
 * gradients, loss-scale unscaling), off the kernels' hot path.
 */
import type { Elementwise } from "../contract.js";
import { jsElementwise } from "../js/elementwise.js";
import type { WasmBuffer, WasmHeap } from "./memory.js";
import { wasmDtype } from "./optimizers.js";

export function wasmElementwise(heap: WasmHeap): Elementwise<WasmBuffer> {
  const view = (dtype: Parameters<Elementwise<WasmBuffer>["fill"]>[0], buf: WasmBuffer, what: string) =>
    heap.view(heap.check(buf, wasmDtype(dtype, what), "buffer"));
  return {
    fill: (dtype, buf, spans, value) => jsElementwise.fill(dtype, view(dtype, buf, "fill"), spans, value),
    divide: (dtype, buf, spans, divisor) => jsElementwise.divide(dtype, view(dtype, buf, "divide"), spans, divisor),
  };
}
