/**
 * Golden replay on a backend, as a backend author meets it: a wrong kernel is cited by its own
 * clause with both values, the printed command replays that one case on that backend, an
 * expectations file covers it, and a clause counts as checked only where the backend's own kernels
 * computed it. Trajectory failures replay from their printed command.
 */
import { describe, expect, it } from "vitest";
import { formatFailure, runConformance } from "../../conformance/index.js";
import { goldenCheck } from "../../conformance/checks/golden.js";
import { GOLDEN_DIR } from "../helpers/golden-dir.js";
import { js, kernel, withOptimizer } from "./wrong-backend-kit.js";

const wrongT = withOptimizer("wrong-adam-t", "Adam", (d, b, segs) =>
  kernel("Adam").update(
    d,
    b,
    segs.map((s) => ({ ...s, t: s.t + 1 })),
  ),
);
const CASE = "Adam/default/float32";

describe("golden replay on a wrong backend", async () => {
  const report = await runConformance(wrongT, { goldenDir: GOLDEN_DIR, goldenCase: CASE, groups: ["golden"] });
  const failures = report.checks.flatMap((c) => c.failures);

  it("fails on the one case asked for, citing the kernel's clauses with both values", () => {
    expect(report.checks.find((c) => c.check === "golden")?.runs).toBe(1);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(["adam.update.param", "adam.update.moments"]).toContain(f.clause);
      expect(formatFailure(f)).not.toMatch(/undefined/);
      expect(f.dtype).toBe("float32");
    }
    expect(formatFailure(failures[0]!)).toMatch(
      /backend -?[\d.e+-]+ \(0x[0-9a-f]{8}\) vs spec -?[\d.e+-]+ \(0x[0-9a-f]{8}\)/,
    );
  });

  it("prints a command that replays that case on that backend", () => {
    for (const f of failures)
      expect(f.replay).toBe(`npx optspec conformance --backend wrong-adam-t --filter golden --case ${CASE}`); // the bundled data is the default
  });

  it("an expectations file covers golden failures, and goes stale when they pass", async () => {
    // t only enters alpha_t: the moments stay right, so only the parameter's clause is expected to fail.
    const expectations = [
      { backend: "wrong-adam-t", clause: "adam.update.param", dtype: "float32" as const, reason: "t off by one" },
    ];
    const known = await runConformance(wrongT, {
      goldenDir: GOLDEN_DIR,
      goldenCase: CASE,
      groups: ["golden"],
      expectations,
    });
    expect(known.checks[0]?.status).toBe("expected-failure");
    expect(known.ok).toBe(true);
    const fixed = await runConformance(js, {
      goldenDir: GOLDEN_DIR,
      goldenCase: CASE,
      groups: ["golden"],
      expectations: expectations.map((e) => ({ ...e, backend: "js" })),
    });
    expect(fixed.ok).toBe(false);
  });
});

describe("coverage is credited to a backend's own kernels only", () => {
  const check = goldenCheck(GOLDEN_DIR);
  it("the full JS backend gets every optimizer's clauses; a backend with only SGD gets SGD's", () => {
    const all = check.clausesFor!(js);
    expect(all).toContain("adam.update.param");
    expect(all).toContain("rmsprop.update");
    const sgdOnly = { ...js, name: "sgd-only", optimizers: { SGD: js.optimizers["SGD"]! }, hooks: {} };
    const some = check.clausesFor!(sgdOnly);
    expect(some).toContain("sgd.update");
    expect(some).not.toContain("adam.update.param");
    expect(some).not.toContain("hooks.weight-decay");
    expect(some.length).toBeLessThan(all.length);
    expect(check.clausesFor!({ ...js, name: "none", optimizers: {}, hooks: {} })).toEqual([]);
  });
});

describe("a trajectory failure replays from its printed command", () => {
  it("--path and --replay-path reproduce the same counterexample", async () => {
    const broken = {
      ...js,
      name: "wrong-no-weight-decay",
      hooks: { ...js.hooks, WeightDecay: { apply: () => undefined } },
    };
    const opts = {
      filter: "trajectory/MomentumSGD/float32",
      numRuns: 100,
      seed: 99,
      goldenDir: null,
      groups: ["trajectories"],
    };
    const first = (await runConformance(broken, opts)).checks.flatMap((c) => c.failures)[0];
    expect(first).toBeDefined();
    const path = /--path (\S+)/.exec(first!.replay)?.[1];
    const replayPath = /--replay-path (\S+)/.exec(first!.replay)?.[1];
    expect(path).toBeDefined();
    expect(replayPath).toBeDefined();
    const again = (
      await runConformance(broken, { ...opts, seed: first!.seed, path: path!, replayPath: replayPath! })
    ).checks.flatMap((c) => c.failures)[0];
    expect(again?.counterexample).toBe(first!.counterexample);
    expect(again?.detail ?? "").not.toMatch(/Unable to replay/);
  });
});
