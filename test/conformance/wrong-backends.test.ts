/**
 * The kit must catch wrong backends. Each backend below is the JS backend with one deliberate bug;
 * the conformance run must fail and name the clause the bug violates.
 */
import { describe, expect, it } from "vitest";
import { OPTIMIZERS, type Dtype } from "../../spec/index.js";
import { jsBackend } from "../../backends/js/index.js";
import type { AnyBackend, OptimizerKernel, Segment, OptimizerBuffers } from "../../backends/contract.js";
import { runConformance } from "../../conformance/index.js";

type Bufs = OptimizerBuffers<Float32Array | Float64Array>;
const js = jsBackend as unknown as AnyBackend;
const kernel = (name: string) => js.optimizers[name] as OptimizerKernel<unknown>;

function withOptimizer(name: string, kernelName: string, update: OptimizerKernel<unknown>["update"]): AnyBackend {
  return { ...js, name, optimizers: { ...js.optimizers, [kernelName]: { update } } };
}

/** AdaGrad with `lr·(g/(sqrt(h)+eps))` instead of `(lr·g)/(sqrt(h)+eps)`: only the last bits change. */
function adaGradSwapped(dtype: Dtype, b: unknown, segments: readonly Segment[]): void {
  const { param, grad, state } = b as Bufs;
  const h = state["h"] as Float32Array | Float64Array;
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  for (const s of segments) {
    const lr = r(s.hp["lr"] as number);
    const eps = r(s.hp["eps"] as number);
    for (let i = s.offset; i < s.offset + s.length; i++) {
      const g = grad[i] as number;
      h[i] = r((h[i] as number) + r(g * g));
      param[i] = r((param[i] as number) - r(lr * r(g / r(r(Math.sqrt(h[i] as number)) + eps))));
    }
  }
}

interface WrongBackend {
  readonly bug: string;
  readonly backend: AnyBackend;
  readonly filter: string;
  readonly clauses: readonly string[];
}

const WRONG: readonly WrongBackend[] = [
  {
    bug: "off-by-one t in Adam's bias correction",
    backend: withOptimizer("wrong-adam-t", "Adam", (d, b, segs) => kernel("Adam").update(d, b, segs.map((s) => ({ ...s, t: s.t + 1 })))),
    filter: "kernel/Adam/",
    clauses: [OPTIMIZERS["Adam"]!.clause],
  },
  {
    bug: "beta1 ** t one step late (fix1 uses t − 1)",
    backend: withOptimizer("wrong-adam-beta1-late", "Adam", (d, b, segs) =>
      kernel("Adam").update(d, b, segs.map((s) => {
        const b1 = s.hp["beta1"] as number;
        const alpha = (s.hp["alpha"] as number) * ((1 - b1 ** s.t) / (1 - b1 ** (s.t - 1)));
        return { ...s, hp: { ...s.hp, alpha } };
      })),
    ),
    filter: "kernel/Adam/",
    clauses: [OPTIMIZERS["Adam"]!.clause],
  },
  {
    bug: "RMSprop eps outside instead of inside the square root",
    backend: withOptimizer("wrong-rmsprop-eps", "RMSprop", (d, b, segs) => kernel("RMSprop").update(d, b, segs.map((s) => ({ ...s, hp: { ...s.hp, eps_inside_sqrt: false } })))),
    filter: "kernel/RMSprop/",
    clauses: [OPTIMIZERS["RMSprop"]?.clause ?? "rmsprop.update"],
  },
  {
    bug: "WeightDecay hook dropped",
    backend: { ...js, name: "wrong-no-weight-decay", hooks: { ...js.hooks, WeightDecay: { apply: () => undefined } } },
    filter: "hook/WeightDecay/",
    clauses: ["hooks.weight-decay"],
  },
  {
    bug: "two float operations swapped in AdaGrad (only the last bits change)",
    backend: withOptimizer("wrong-adagrad-order", "AdaGrad", adaGradSwapped),
    filter: "kernel/AdaGrad/",
    clauses: [OPTIMIZERS["AdaGrad"]?.clause ?? "adagrad.update"],
  },
  {
    bug: "SIMD tail mishandled in SGD (elements past the last multiple of 4 untouched)",
    backend: withOptimizer("wrong-sgd-tail", "SGD", (d, b, segs) => kernel("SGD").update(d, b, segs.map((s) => ({ ...s, length: s.length & ~3 })))),
    filter: "kernel/SGD/",
    clauses: ["sgd.update"],
  },
];

describe("the conformance kit catches wrong backends", () => {
  for (const w of WRONG) {
    it(`${w.bug} → fails citing ${w.clauses.join(" or ")}`, async () => {
      const report = await runConformance(w.backend, { filter: w.filter, numRuns: 200, seed: 20261125, goldenDir: null, groups: ["optimizer kernels", "hook kernels"] });
      expect(report.ok).toBe(false);
      const failures = report.checks.flatMap((c) => c.failures);
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(w.clauses).toContain(f.clause);
        expect(f.backend).toBe(w.backend.name);
        expect(f.replay).toContain(`--seed`);
        expect(f.counterexample.length).toBeGreaterThan(0);
      }
      const bitDiff = failures.find((f) => f.expectedBits !== undefined);
      expect(bitDiff?.actualBits).not.toBe(bitDiff?.expectedBits);
    });
  }

  it("the unmodified JS backend passes the same checks", async () => {
    for (const w of WRONG) {
      const report = await runConformance(js, { filter: w.filter, numRuns: 200, seed: 20261125, goldenDir: null, groups: ["optimizer kernels", "hook kernels"] });
      expect(report.checks.flatMap((c) => c.failures)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });
});
