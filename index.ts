/** optspec: the spec, the backends and the conformance kit. */
export * from "./spec/index.js";
export * as backends from "./backends/index.js";
export {
  runConformance,
  type ConformanceOptions,
  type ConformanceReport,
  type Expectation,
} from "./conformance/index.js";
