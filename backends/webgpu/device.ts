/// <reference types="@webgpu/types" />
/**
 * Finding a WebGPU device in Node: the optional npm package `webgpu` (Dawn's Node bindings). On a
 * machine without a GPU, Debian's `chromium` package ships the SwiftShader Vulkan driver, which Dawn
 * accepts as a core adapter; we point the Vulkan loader at it when no ICD is configured. Everything
 * is lazy: importing this module loads nothing, and a machine without the package or the driver
 * gets a clear reason from `acquireDevice()` instead of an exception at import time.
 */
import { existsSync } from "node:fs";
import { WebgpuDeviceLostError, WebgpuUnavailableError } from "./errors.js";

/** Where Debian's chromium package puts SwiftShader's Vulkan ICD (used only when nothing is configured). */
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

interface WebgpuModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** The device every buffer and pipeline of the backend lives on, with what we know about it. */
export interface GpuContext {
  readonly device: GPUDevice;
  /** "vendor architecture (description)" of the adapter, e.g. "google swiftshader (SwiftShader driver)". */
  readonly adapter: string;
  readonly fallback: boolean;
  readonly features: readonly string[];
  /** Set once the device is lost; every later call fails with it. */
  lost: WebgpuDeviceLostError | null;
  /** The last operation issued (see `serial`). */
  tail: Promise<unknown>;
}

/**
 * Runs operations on a device in the order they were issued, each starting when the previous one
 * has finished (the contract's ordering for asynchronous backends: a resident run issues a step's
 * calls without awaiting them). A failed operation does not stop the ones after it.
 */
export function serial<T>(ctx: GpuContext, op: () => Promise<T>): Promise<T> {
  const run = ctx.tail.then(op, op);
  ctx.tail = run.catch(() => undefined);
  return run;
}

let pending: Promise<GpuContext | string> | null = null;
let instance: GPU | null = null;

async function loadModule(): Promise<WebgpuModule | string> {
  try {
    // A variable specifier keeps bundlers and type-checkers from requiring the optional package.
    const name = "webgpu";
    return (await import(name)) as WebgpuModule;
  } catch (err) {
    return `the optional npm package "webgpu" is not installed (${(err as Error).message.split("\n")[0]}); npm install webgpu@0.6.2`;
  }
}

/** The browser's own WebGPU (the visitor's GPU), when this runs in a page that offers it. */
function browserGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

/** The GPU entry point: the browser's, else Dawn's Node bindings (pointed at SwiftShader when nothing is configured). */
async function gpuEntry(): Promise<GPU | string> {
  const own = browserGpu();
  if (own !== undefined) return own;
  if (typeof process === "undefined") return "this browser offers no WebGPU (navigator.gpu is absent)";
  if (process.env["VK_ICD_FILENAMES"] === undefined && existsSync(SWIFTSHADER_ICD)) {
    // Read by the Vulkan loader when the instance is created, so it must be set before create().
    process.env["VK_ICD_FILENAMES"] = SWIFTSHADER_ICD;
  }
  const mod = await loadModule();
  if (typeof mod === "string") return mod;
  Object.assign(globalThis, mod.globals);
  // The instance must outlive the device: Dawn tears the device down when it is collected.
  return mod.create([]);
}

async function open(): Promise<GpuContext | string> {
  const entry = await gpuEntry();
  if (typeof entry === "string") return entry;
  let adapter: GPUAdapter | null;
  instance = entry;
  try {
    adapter = await instance.requestAdapter();
  } catch (err) {
    return `requestAdapter failed: ${(err as Error).message}`;
  }
  if (adapter === null) {
    if (entry === browserGpu())
      return "this browser's navigator.gpu gives no adapter (WebGPU disabled, or no usable GPU)";
    return `no WebGPU adapter on this machine (no GPU driver Dawn accepts; on Debian: apt-get install chromium libvulkan1 for SwiftShader)`;
  }
  const device = await adapter.requestDevice();
  // The DOM library (browser/tsconfig.json) and @webgpu/types disagree on GPUAdapter; `info` is in both specs.
  const info = (adapter as GPUAdapter & { readonly info: GPUAdapterInfo & { readonly isFallbackAdapter?: boolean } })
    .info;
  const ctx: GpuContext = {
    device,
    adapter: `${info.vendor} ${info.architecture}${info.description ? ` (${info.description})` : ""}`.trim(),
    fallback: info.isFallbackAdapter ?? false,
    features: [...adapter.features].sort(),
    lost: null,
    tail: Promise.resolve(),
  };
  void device.lost.then((l) => {
    ctx.lost = new WebgpuDeviceLostError(`${l.reason}: ${l.message}`);
    pending = null; // the next acquire opens a fresh device
  });
  return ctx;
}

/** The shared device, or the reason there is none. Opened once per process. */
export function acquireDevice(): Promise<GpuContext | string> {
  pending ??= open();
  return pending;
}

let current: GpuContext | null = null;

/** Opens the device (if needed) and makes it the one the backend's synchronous calls use. */
export async function ready(): Promise<{ ok: boolean; reason?: string; device?: string }> {
  const r = await acquireDevice();
  if (typeof r === "string") return { ok: false, reason: r };
  current = r;
  return { ok: true, device: `${r.adapter}${r.fallback ? ", a software (fallback) adapter" : ""}` };
}

/** The device for a call; a clear error when `available()` was not awaited or the device is lost. */
export function gpu(): GpuContext {
  if (current === null)
    throw new WebgpuUnavailableError(
      "webgpu backend: no device; await backend.available() first (it opens the device)",
    );
  if (current.lost !== null) throw current.lost;
  return current;
}

/** For tests: forget the device (after destroying it) so that the next `ready()` opens a new one. */
export function resetDevice(): void {
  current = null;
  pending = null;
}
