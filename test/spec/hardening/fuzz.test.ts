/**
 * A bounded, seeded fuzz run over the three loaders (Chainer npz, lossless npz, lossless JSON): no
 * input crashes a loader, none leaves a partial load, none takes seconds. The long run is
 * `npm run fuzz -- --inputs N`.
 */
import { describe, expect, it } from "vitest";
import { clauses } from "../../helpers/clauses.js";
import { runFuzz } from "../../../conformance/fuzz/run.js";

describe(`fuzzing the loaders [${clauses("serialization.errors.load-only-documented", "serialization.errors.only", "serialization.limits.budget")}]`, () => {
  it("250 seeded inputs: 0 crashed, 0 partial, 0 hung; both outcomes are reached for every loader", () => {
    const r = runFuzz({ inputs: 250, seed: 2026 });
    expect(r.findings).toEqual([]);
    expect({ crashed: r.crashed, partial: r.partial, hung: r.hung }).toEqual({ crashed: 0, partial: 0, hung: 0 });
    expect(r.loaded + r.refused).toBe(250);
    for (const t of ["npz", "lossless-npz", "json"] as const) {
      expect(r.byTarget[t].refused).toBeGreaterThan(0);
    }
    expect(r.loaded).toBeGreaterThan(0);
  });
});
