/**
 * The compiled kernels, instantiated synchronously from the embedded bytes (no fetch, no paths, no
 * configuration; the module is ~21 KB, well under browsers' limit for synchronous compilation).
 * WebAssembly is reached through `globalThis` with the few members used typed here, so the
 * project's `lib` needs no DOM types.
 */
import { KERNELS_WASM_BASE64 } from "./kernels-bytes.js";

export interface WasmMemoryObject {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface KernelExports {
  readonly memory: WasmMemoryObject;
  heapBase(): number;
  readonly [name: string]: unknown;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: KernelExports };
  validate(bytes: Uint8Array): boolean;
}

const wasmApi = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export function kernelBytes(): Uint8Array {
  const s = atob(KERNELS_WASM_BASE64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Whether this engine runs Wasm with SIMD128 (validating the module itself answers both). */
export function wasmAvailable(): { ok: boolean; reason?: string } {
  const api = wasmApi();
  if (api === undefined) return { ok: false, reason: "no WebAssembly in this engine" };
  return api.validate(kernelBytes()) ? { ok: true } : { ok: false, reason: "this engine's WebAssembly lacks SIMD128" };
}

export function instantiate(): KernelExports {
  const api = wasmApi();
  if (api === undefined) throw new TypeError("wasm backend: no WebAssembly in this engine");
  const instance = new api.Instance(new api.Module(kernelBytes()), {});
  return instance.exports;
}

/** Looks an export up by name, failing clearly when the module lacks it. */
export function exported<F>(exports: KernelExports, name: string): F {
  const f = exports[name];
  if (typeof f !== "function") throw new TypeError(`wasm backend: the module has no export ${name}`);
  return f as F;
}
