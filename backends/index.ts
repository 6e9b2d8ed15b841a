/** Built-in backends, registered on import. */
import { registerBackend } from "./registry.js";
import { jsBackend } from "./js/index.js";
import { wasmBackend } from "./wasm/index.js";

registerBackend(jsBackend);
registerBackend(wasmBackend);

export { registerBackend, getBackend, listBackends } from "./registry.js";
export { backendCompute, updateOn } from "./engine.js";
export { ResidentRun, ResidentArray, type GradInput } from "./resident/index.js";
export type * from "./contract.js";
export { jsBackend, wasmBackend };
