/**
 * The bench command end to end in its tiny mode (`--smoke`: SGD float32 at 4,096 elements, minimal
 * samples, no peers), as a child process: it must exit 0 and write a result file with the
 * documented fields, and a well-formed chart. Speed is never asserted.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENV_FIELDS, ROW_FIELDS, type BenchReport } from "../../bench/result.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "optspec-bench-smoke-"));
const json = join(dir, "out.json");
// No --chart: the chart goes next to the JSON, never over the committed bench/chart.svg.
const svg = join(dir, "out.svg");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run bench -- --smoke", () => {
  let run: SpawnSyncReturns<string>;
  beforeAll(() => {
    run = spawnSync(process.execPath, ["scripts/optspec.mjs", "bench", "--smoke", "--json", json], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
  }, 60_000);

  it("exits 0", () => {
    expect(run.error).toBeUndefined();
    expect(run.stderr + run.stdout).not.toMatch(/Error:/);
    expect(run.status).toBe(0);
  });

  it("writes JSON with the environment and every documented field on every row", () => {
    const report = JSON.parse(readFileSync(json, "utf8")) as BenchReport;
    expect(report.schema).toBe("optspec-bench/1");
    expect(report.mode).toBe("smoke");
    for (const f of ENV_FIELDS) expect(report.env, f).toHaveProperty(f);
    expect(report.env.node).toBe(process.version);
    expect(report.env.cores).toBeGreaterThan(0);
    expect(report.results.length).toBeGreaterThanOrEqual(2);
    for (const r of report.results) {
      for (const f of ROW_FIELDS) expect(r, `${r.id}: ${f}`).toHaveProperty(f);
      for (const f of ["opsPerSec", "rmePct", "meanMs", "elementsPerSec", "gbps"] as const) {
        expect(Number.isFinite(r[f]) && r[f] >= 0, `${r.id}: ${f} = ${r[f]}`).toBe(true);
      }
      expect(r.samples).toBeGreaterThanOrEqual(2);
      expect(r.bytesPerElement).toBe(12); // SGD and the triad, float32
      expect(r.elementsPerSec).toBeCloseTo(r.opsPerSec * r.elements, 0);
      expect(r.rooflineGBps).not.toBeNull();
    }
    const vias = new Set(report.results.map((r) => r.via));
    expect(vias.has("roofline")).toBe(true);
    expect(vias.has("spec")).toBe(true);
    for (const b of report.backends.filter((x) => x.skipped === undefined)) {
      expect(
        report.results.some((r) => r.via === "kernel" && r.backend === b.name),
        b.name,
      ).toBe(true);
    }
  });

  it("writes a well-formed SVG chart", () => {
    const text = readFileSync(svg, "utf8");
    expect(text.startsWith("<?xml")).toBe(true);
    const stack: string[] = [];
    for (const m of text.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      const [, close, tag, self] = m as unknown as [string, string, string, string];
      if (self === "/") continue;
      if (close === "/") expect(stack.pop()).toBe(tag);
      else stack.push(tag);
    }
    expect(stack).toEqual([]);
  });
});
