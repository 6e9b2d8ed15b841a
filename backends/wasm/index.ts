/**
 * The Wasm SIMD128 backend: AssemblyScript kernels (`assembly/`, built by `build.ts`), float32 and
 * float64, every operation the spec's, in the spec's order, lane by lane with scalar tails; no FMA,
 * no relaxed SIMD, so the promise is `exact`. Buffers live in the instance's linear memory
 * (`memory.ts`); `memory.view(buf, offset, length)` gives a writable typed-array view (for example
 * to write gradients in place), valid until the next `alloc`.
 */
import type { Backend, OptimizerKernel } from "../contract.js";
import { jsBackend } from "../js/index.js";
import { type WasmBuffer, type WasmMemory, WasmHeap, wasmMemory } from "./memory.js";
import { wasmAvailable } from "./instance.js";
import { OPTIMIZERS } from "../../spec/optimizers/registry.js";
import { OPTIMIZER_LAYOUTS } from "./scalars.js";
import { optimizerKernel } from "./optimizers.js";
import { wasmHooks } from "./hooks.js";
import { wasmReductions } from "./reductions.js";
import { wasmElementwise } from "./elementwise.js";

export type { WasmBuffer, WasmMemory } from "./memory.js";
export { WasmHeap } from "./memory.js";

export interface WasmBackend extends Backend<WasmBuffer> {
  readonly memory: WasmMemory;
  readonly heap: WasmHeap;
}

/** A Wasm backend over its own instance (its own linear memory). */
export function createWasmBackend(name = "wasm", heap: WasmHeap = new WasmHeap()): WasmBackend {
  const optimizers: Record<string, OptimizerKernel<WasmBuffer>> = {};
  for (const def of Object.values(OPTIMIZERS)) {
    const kernel = def.kernel ?? def.name;
    if (optimizers[kernel] !== undefined) continue;
    const layout = OPTIMIZER_LAYOUTS[kernel];
    const js = jsBackend.optimizers[kernel];
    if (layout === undefined || js === undefined) throw new TypeError(`wasm backend: no kernel for ${kernel}`);
    optimizers[kernel] = optimizerKernel(heap, def, layout, js);
  }
  return {
    name,
    description:
      "WebAssembly SIMD128 (AssemblyScript, f32x4/f64x2 with scalar tails, no FMA), buffers in linear memory; exact.",
    dtypes: ["float32", "float64"],
    promise: { kind: "exact" },
    mode: "sync",
    memory: wasmMemory(heap),
    heap,
    optimizers,
    hooks: wasmHooks(heap),
    reductions: wasmReductions(heap),
    elementwise: wasmElementwise(heap),
    available: () => wasmAvailable(),
  };
}

/** The registered backend (its instance is created when this module is first imported). */
export const wasmBackend: WasmBackend = createWasmBackend();
