/**
 * The golden replay through the spec: every case of every file is its own test. A case the spec
 * cannot run yet is reported as skipped with its reason, never as passed.
 */
import { describe, expect, it } from "vitest";
import { formatFailure, replayDirectory, summarize } from "../../conformance/golden/index.js";
import { GOLDEN_DIR } from "../helpers/golden-dir.js";

const results = replayDirectory(GOLDEN_DIR);

describe("golden replay through the spec", () => {
  it("found golden cases", () => {
    expect(results.length).toBeGreaterThan(100);
  });
  for (const r of results) {
    if (r.status === "unsupported") {
      it.skip(`${r.id} (unsupported: ${r.reason})`, () => {});
      continue;
    }
    it(r.id, () => {
      expect(r.failures.map((f) => formatFailure(r, f))).toEqual([]);
    });
  }
  it("no case is unsupported", () => {
    const s = summarize(results);
    expect(results.filter((r) => r.status === "unsupported").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect(s.unsupported).toBe(0);
  });
});
