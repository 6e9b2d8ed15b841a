export * from "./encoding.js";
export * from "./format.js";
export * from "./compare.js";
export * from "./build.js";
export * from "./fixtures.js";
export * from "./replay-trajectory.js";
export * from "./replay-calls.js";
export * from "./replay.js";
