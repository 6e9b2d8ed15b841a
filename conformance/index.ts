export { runConformance, allChecks, type ConformanceOptions } from "./run.js";
export * from "./report.js";
export { specClauses, specClauseDefs, type ClauseDef } from "./clauses.js";
export type { Check, CheckContext } from "./checks/types.js";
