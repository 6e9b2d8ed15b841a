/**
 * The browser entry of optspec (`import … from "optspec"` under a bundler's "browser" condition,
 * or `optspec/browser` as one ES module): the spec, the backends and the conformance kit, with no
 * Node API on its path. Give `runConformance` the golden data as a `GoldenSource` (files fetched over
 * HTTP, as the page in browser/page.ts does) in `goldenDirs`; directory paths need Node.
 */
export * from "../spec/index.js";
export * as backends from "../backends/index.js";
export {
  runConformance,
  type ConformanceOptions,
  type ConformanceReport,
  type Expectation,
  type GoldenSource,
} from "../conformance/index.js";
export { closingLines, groupSummaries, groupChecks, groupResult, totals, LEGEND } from "../conformance/summary.js";
