/**
 * An asynchronous backend (the JS kernels behind promises, run later in issue order) through the
 * whole battery: kernels, reductions, trajectories through a resident run, and the golden replay
 * through resident runs. Exact everywhere, like the JS backend it wraps.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { asyncJsBackend } from "../../backends/async-js/index.js";
import { formatFailure, runConformance, type ConformanceReport } from "../../conformance/index.js";
import { GOLDEN_DIR } from "../helpers/golden-dir.js";

describe("asynchronous backend conformance", () => {
  let report: ConformanceReport;
  beforeAll(async () => {
    report = await runConformance(asyncJsBackend(), { numRuns: 10, seed: 777, goldenDir: GOLDEN_DIR });
  }, 600_000);
  for (const group of ["optimizer kernels", "hook kernels", "reductions", "trajectories", "golden"]) {
    it(`${group}: every applicable check passes, bit-exact`, () => {
      const ran = report.checks.filter((c) => c.group === group && c.status !== "not-applicable");
      expect(ran.length).toBeGreaterThan(0);
      expect(ran.flatMap((c) => c.failures.map(formatFailure))).toEqual([]);
      expect(ran.every((c) => c.status === "passed" && c.maxUlp === 0 && c.runs > 0)).toBe(true);
    });
  }
  it("conforms", () => {
    expect(report.ok).toBe(true);
  });
});
