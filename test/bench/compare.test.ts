/**
 * bench:compare's rule: a slowdown counts only above both the threshold and the combined rme; and
 * merging runs turns their spread into noise.
 */
import { describe, expect, it } from "vitest";
import { compareRuns } from "../../bench/compare.js";
import { mergeRuns } from "../../bench/merge.js";
import type { BenchReport, BenchRow, Via } from "../../bench/result.js";

function row(id: string, opsPerSec: number, rmePct: number, via: Via = "kernel"): BenchRow {
  return {
    id,
    via,
    backend: "js",
    kernel: "Adam",
    variant: "Adam",
    category: "optimizer",
    dtype: "float32",
    elements: 4096,
    tensors: 1,
    shape: "4096",
    opsPerSec,
    rmePct,
    samples: 10,
    meanMs: 1e3 / opsPerSec,
    warmupCalls: 5,
    elementsPerSec: opsPerSec * 4096,
    bytesPerElement: 28,
    gbps: 0,
    rooflineGBps: null,
    rooflineFraction: null,
    afterDetach: false,
    peerTimeRatio: {},
  };
}

function report(results: BenchRow[]): BenchReport {
  return {
    schema: "optspec-bench/1",
    mode: "quick",
    argv: [],
    settings: {},
    backends: [],
    wallSeconds: 1,
    results,
    env: {
      node: "v20",
      v8: "11",
      platform: "linux",
      arch: "x64",
      cpuModel: "cpu",
      cores: 2,
      totalMemoryGiB: 1,
      gitCommit: null,
      gitDirty: null,
      date: "",
      benchmarkJs: "2.1.4",
      tfjs: null,
      tfjsWasm: null,
    },
  };
}

describe("compareRuns", () => {
  const base = report([
    row("a", 100, 2),
    row("b", 100, 2),
    row("c", 100, 20),
    row("d", 100, 2),
    row("p", 100, 1, "peer"),
    row("gone", 1, 1),
  ]);
  const head = report([
    row("a", 80, 2),
    row("b", 95, 2),
    row("c", 80, 20),
    row("d", 150, 2),
    row("p", 50, 1, "peer"),
    row("new", 1, 1),
  ]);
  const c = compareRuns(base, head, 10);

  it("flags a slowdown above both the threshold and the noise", () => {
    expect(c.regressions.map((r) => r.id)).toEqual(["a"]);
    expect(c.regressions[0]?.slowdownPct).toBeCloseTo(25);
    expect(c.regressions[0]?.noisePct).toBeCloseTo(Math.hypot(2, 2));
  });
  it("ignores slowdowns under the threshold or under the combined rme", () => {
    expect(c.unchanged).toBe(2); // b: 5% < 10%; c: 25% < √(20² + 20²) ≈ 28%
  });
  it("lists improvements, and peers only as context", () => {
    expect(c.improvements.map((r) => r.id)).toEqual(["d"]);
    expect(c.context.map((r) => r.id)).toEqual(["p"]);
  });
  it("lists rows present in one run only", () => {
    expect(c.onlyInBase).toEqual(["gone"]);
    expect(c.onlyInHead).toEqual(["new"]);
  });
  it("honours the threshold", () => {
    expect(compareRuns(base, head, 30).regressions).toEqual([]);
  });
});

describe("mergeRuns", () => {
  const m = mergeRuns([
    report([row("a", 100, 2), row("b", 10, 1)]),
    report([row("a", 200, 3)]),
    report([row("a", 150, 1)]),
  ]);
  const a = m.results.find((r) => r.id === "a");

  it("takes the median ops/s and recomputes what follows from it", () => {
    expect(a?.opsPerSec).toBe(150);
    expect(a?.meanMs).toBeCloseTo(1e3 / 150);
    expect(a?.elementsPerSec).toBe(150 * 4096);
    expect(a?.samples).toBe(30);
    expect(a?.runs).toBe(3);
    expect(m.runs).toBe(3);
  });
  it("counts the run-to-run half-range as noise when it exceeds every rme", () => {
    expect(a?.rmePct).toBeCloseTo((50 / 150) * 100); // (200 − 100) / 2 over the median
  });
  it("keeps rows found in some runs only, with their own rme", () => {
    expect(m.results.find((r) => r.id === "b")?.rmePct).toBe(1);
  });
  it("makes a same-code comparison quiet when the spread covers it", () => {
    expect(compareRuns(m, report([row("a", 120, 2)]), 10).regressions).toEqual([]); // 25% slower, noise ±33%
  });
});
