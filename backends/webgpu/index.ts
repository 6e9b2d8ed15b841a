/**
 * The WebGPU backend: float32 WGSL compute kernels over resident device buffers, asynchronous.
 * Every kernel call is one dispatch over a segment table; data comes back only through `read`.
 * Its promise is WGSL's per-operation accuracy (`accuracy.ts`); the kit derives the bounds.
 * Needs the optional `webgpu` npm package and a Vulkan driver (SwiftShader without a GPU);
 * `available()` opens the device and says why when there is none.
 */
import type { Backend } from "../contract.js";
import { WGSL_F32_ARITHMETIC } from "./accuracy.js";
import { acquireDevice, ready } from "./device.js";
import { type WebgpuBuffer, webgpuMemory } from "./memory.js";
import type { KernelSource } from "./pipeline.js";
import { webgpuOptimizers } from "./optimizers.js";
import { webgpuHooks } from "./hooks.js";
import { webgpuReductions } from "./reductions.js";
import { webgpuElementwise } from "./elementwise.js";

export type { WebgpuBuffer } from "./memory.js";
export {
  WebgpuError,
  WebgpuDeviceLostError,
  WebgpuOutOfMemoryError,
  WebgpuUnavailableError,
  WebgpuValidationError,
} from "./errors.js";
export { WGSL_F32_ARITHMETIC } from "./accuracy.js";

export interface WebgpuBackendOptions {
  readonly name?: string;
  /** Replacement WGSL for some kernels (by optimizer kernel or hook name): wrong-kernel tests. */
  readonly kernels?: Readonly<Record<string, KernelSource>>;
}

/** A WebGPU backend; `webgpuBackend` is the registered one, this builds variants (wrong kernels in tests). */
export function createWebgpuBackend(options: WebgpuBackendOptions = {}): Backend<WebgpuBuffer> {
  return {
    name: options.name ?? "webgpu",
    description:
      "WGSL compute kernels (float32) on a WebGPU device through the npm webgpu package (Dawn); bounds derived from WGSL's accuracy table.",
    dtypes: ["float32"],
    promise: { kind: "derived", arithmetic: WGSL_F32_ARITHMETIC },
    mode: "async",
    memory: webgpuMemory,
    optimizers: webgpuOptimizers(options.kernels),
    hooks: webgpuHooks(options.kernels),
    reductions: webgpuReductions,
    elementwise: webgpuElementwise,
    available: ready,
  };
}

export const webgpuBackend = createWebgpuBackend();

/** The adapter's description ("vendor architecture (description)"), or the reason there is none. */
export async function webgpuAdapter(): Promise<{
  readonly ok: boolean;
  readonly adapter?: string;
  readonly fallback?: boolean;
  readonly reason?: string;
}> {
  const r = await acquireDevice();
  return typeof r === "string" ? { ok: false, reason: r } : { ok: true, adapter: r.adapter, fallback: r.fallback };
}

export { OPTIMIZER_WGSL, optimizerSource } from "./optimizer-kernels.js";
export { HOOK_WGSL } from "./hooks.js";
export type { KernelSource } from "./pipeline.js";
