/** Built-in backends, registered on import. */
import { registerBackend } from "./registry.js";
import { jsBackend } from "./js/index.js";
import { wasmBackend } from "./wasm/index.js";
import { webgpuBackend } from "./webgpu/index.js";

registerBackend(jsBackend);
registerBackend(wasmBackend);
// Loads nothing until `available()`: a machine without the optional `webgpu` package or a driver
// lists it as unavailable, with the reason.
registerBackend(webgpuBackend);

export { registerBackend, getBackend, listBackends } from "./registry.js";
export { backendCompute, updateOn } from "./engine.js";
export { ResidentRun, ResidentArray, ResidentOptimizer, residentUpdate, type GradInput } from "./resident/index.js";
export type * from "./contract.js";
export { jsBackend, wasmBackend, webgpuBackend };
export { backendShapeError, isBackend } from "./validate.js";
