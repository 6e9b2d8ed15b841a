export { runConformance, allChecks, type ConformanceOptions } from "./run.js";
export { runBoundedConformance, type BoundedOptions, type BoundedReport, type BoundedResult } from "./bounded.js";
export * from "./report.js";
export { specClauses, specClauseDefs, type ClauseDef } from "./clauses.js";
export { bundledGoldenDir } from "./golden/bundled-dir.js";
export { type GoldenSource, readGoldenDir } from "./golden/source.js";
export * from "./summary.js";
export type { Check, CheckContext } from "./checks/types.js";
