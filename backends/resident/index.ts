/** Resident runs: the optimizer living in a backend's memory, stepped by the spec's step program. */
export { ResidentRun, type GradInput } from "./run.js";
export { ResidentArray } from "./store.js";
export { runSync, runAsync, type Job } from "./job.js";
export { residentUpdate } from "./update-once.js";
export { ResidentOptimizer } from "./optimizer.js";
