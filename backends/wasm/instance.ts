/**
 * The compiled kernels, from the embedded bytes (no fetch, no paths, no configuration; the module
 * is ~21 KB, well under browsers' limit for synchronous compilation). The module imports its
 * memory (`env.memory`), so the heap can move to a larger `WebAssembly.Memory` by instantiating the
 * module again instead of calling `memory.grow`: growing would detach the old `ArrayBuffer`, and
 * V8 runs every JS typed-array loop of the process 1.2–1.6× slower after the first detach.
 * WebAssembly is reached through `globalThis` with the few members used typed here, so the
 * project's `lib` needs no DOM types.
 */
import { KERNELS_WASM_BASE64 } from "./kernels-bytes.js";

export interface WasmMemoryObject {
  readonly buffer: ArrayBuffer;
}

/** A compiled `WebAssembly.Module`. */
export type CompiledKernels = object & { readonly __compiledKernels?: never };

export interface KernelExports {
  heapBase(): number;
  readonly [name: string]: unknown;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => CompiledKernels;
  Instance: new (module: CompiledKernels, imports: object) => { readonly exports: KernelExports };
  Memory: new (descriptor: { initial: number }) => WasmMemoryObject;
  validate(bytes: Uint8Array): boolean;
}

const wasmApi = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

function api(): WasmApi {
  const a = wasmApi();
  if (a === undefined) throw new TypeError("wasm backend: no WebAssembly in this engine");
  return a;
}

export function kernelBytes(): Uint8Array {
  const s = atob(KERNELS_WASM_BASE64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Whether this engine runs the kernels: validation fails where WebAssembly lacks SIMD128, and
 * also where it would need relaxed SIMD (which Node 20 does not enable), so a passing check also
 * shows the module uses neither relaxed SIMD nor anything beyond SIMD128.
 */
export function wasmAvailable(): { ok: boolean; reason?: string } {
  const a = wasmApi();
  if (a === undefined) return { ok: false, reason: "no WebAssembly in this engine" };
  return a.validate(kernelBytes()) ? { ok: true } : { ok: false, reason: "this engine's WebAssembly lacks SIMD128" };
}

export function compileModule(bytes: Uint8Array = kernelBytes()): CompiledKernels {
  return new (api().Module)(bytes);
}

export function newMemory(pages: number): WasmMemoryObject {
  return new (api().Memory)({ initial: pages });
}

export function instantiate(module: CompiledKernels, memory: WasmMemoryObject): KernelExports {
  return new (api().Instance)(module, { env: { memory } }).exports;
}

/** Looks an export up by name, failing clearly when the module lacks it. */
export function exported<F>(exports: KernelExports, name: string): F {
  const f = exports[name];
  if (typeof f !== "function") throw new TypeError(`wasm backend: the module has no export ${name}`);
  return f as F;
}
