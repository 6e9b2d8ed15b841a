/**
 * The JS backend through the whole battery: per-kernel properties for every optimizer and hook,
 * model-based trajectories, and the golden files replayed on its kernels. Exact everywhere.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { jsBackend } from "../../backends/js/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import { formatFailure, runConformance, type ConformanceReport } from "../../conformance/index.js";
import { GOLDEN_DIR } from "../helpers/golden-dir.js";

describe("JS backend conformance", () => {
  let report: ConformanceReport;
  beforeAll(async () => {
    report = await runConformance(jsBackend as unknown as AnyBackend, {
      numRuns: 25,
      seed: 424242,
      goldenDir: GOLDEN_DIR,
    });
  }, 600_000);
  for (const group of ["optimizer kernels", "hook kernels", "reductions", "trajectories", "golden"]) {
    it(`${group}: every applicable check passes, bit-exact`, () => {
      const checks = report.checks.filter((c) => c.group === group);
      const ran = checks.filter((c) => c.status !== "not-applicable");
      expect(ran.length).toBeGreaterThan(0);
      expect(ran.flatMap((c) => c.failures.map(formatFailure))).toEqual([]);
      expect(ran.every((c) => c.status === "passed" && c.maxUlp === 0)).toBe(true);
    });
  }
  it("float16 checks are reported not-applicable (float16 runs through the spec), never as passed", () => {
    const f16 = report.checks.filter((c) => c.dtype === "float16");
    expect(f16.length).toBeGreaterThan(0);
    expect(f16.every((c) => c.status === "not-applicable" && c.runs === 0)).toBe(true);
  });
  it("the report lists the spec clauses this battery did not check", () => {
    expect(report.unchecked.length).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
  });
});
