import { describe, expect, it } from "vitest";
import { OPTIMIZERS } from "../../spec/index.js";
import { jsBackend, type AnyBackend } from "../../backends/index.js";
import { asyncJsBackend } from "../../backends/async-js/index.js";
import { rawCallsCase, scenarios, stateMachineCase } from "../../bench/cases-model.js";
import { derive } from "../../bench/derive.js";
import type { Case } from "../../bench/case.js";

const defs = [OPTIMIZERS["Adam"]!, OPTIMIZERS["SGD"]!];

describe("bench state-machine rows", () => {
  it("offers the optimizer alone, Adam with hooks and Adam under dynamic loss scaling", () => {
    expect(scenarios(defs).map((s) => s.variant)).toEqual(["Adam", "SGD", "Adam+hooks", "Adam+loss-scale"]);
  });

  for (const backend of [jsBackend as AnyBackend, asyncJsBackend()]) {
    it(`every scenario's resident step and raw calls run on ${backend.name}`, async () => {
      for (const s of scenarios(defs)) {
        for (const c of [stateMachineCase(backend, s, "float32", 8, 64), rawCallsCase(backend, s, "float32", 8, 64)]) {
          expect(c).toBeDefined();
          const p = await (c as Case).prepare();
          await p.step();
          await p.step();
          await p.dispose();
        }
      }
    });
  }

  it("a state-machine row carries its time over the raw calls of the same step", () => {
    const s = scenarios(defs)[0]!;
    const meta = (c: Case | undefined) => {
      // oxlint-disable-next-line typescript/unbound-method -- destructured only to leave it out
      const { prepare: _omit, ...m } = c as Case;
      return m;
    };
    const row = (c: Case | undefined, opsPerSec: number) => ({
      case: meta(c),
      opsPerSec,
      rmePct: 1,
      samples: 5,
      meanMs: 1e3 / opsPerSec,
      warmupCalls: 1,
      afterDetach: false,
    });
    const rows = derive([
      row(stateMachineCase(jsBackend as AnyBackend, s, "float32", 8, 64), 40),
      row(rawCallsCase(jsBackend as AnyBackend, s, "float32", 8, 64), 50),
    ]);
    expect(rows.find((r) => r.via === "state-machine")?.rawCallsRatio).toBeCloseTo(1.25, 12);
    expect(rows.find((r) => r.via === "raw-calls")?.rawCallsRatio).toBeUndefined();
  });
});
