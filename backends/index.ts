/** Built-in backends, registered on import. */
import { registerBackend } from "./registry.js";
import { jsBackend } from "./js/index.js";

registerBackend(jsBackend);

export { registerBackend, getBackend, listBackends } from "./registry.js";
export { backendCompute, updateOn } from "./engine.js";
export { ResidentRun, ResidentArray, type GradInput } from "./resident/index.js";
export type * from "./contract.js";
export { jsBackend };
export { backendShapeError, isBackend } from "./validate.js";
