/**
 * The kit must catch wrong backends and say which mistake each one made. Each backend below has one
 * deliberate bug (see wrong-backend-kit.ts); the conformance run must fail, cite the clause the bug
 * violates and, where the catalog has the mistake, diagnose it.
 */
import { describe, expect, it } from "vitest";
import type { Dtype } from "../../spec/index.js";
import { type AnyBackend, type Segment, syncResult } from "../../backends/contract.js";
import { runConformance } from "../../conformance/index.js";
import {
  type Bufs,
  adam64With,
  float16Backend,
  fourLanes,
  js,
  keeping,
  kernel,
  rounder,
  withOptimizer,
} from "./wrong-backend-kit.js";

/** AdaGrad with `lr·(g/(sqrt(h)+eps))` instead of `(lr·g)/(sqrt(h)+eps)`: only the last bits change. */
function adaGradSwapped(dtype: Dtype, b: unknown, segments: readonly Segment[]): void {
  const { param, grad, state } = b as Bufs;
  const h = state["h"] as Float32Array | Float64Array;
  const r = rounder(dtype);
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

/** SGD with `p − lr·g` fused: the product is not rounded before the subtraction. */
function sgdFused(dtype: Dtype, b: unknown, segments: readonly Segment[]): void {
  const { param, grad } = b as Bufs;
  const r = rounder(dtype);
  for (const s of segments) {
    const lr = r(s.hp["lr"] as number);
    for (let i = s.offset; i < s.offset + s.length; i++) param[i] = r((param[i] as number) - lr * (grad[i] as number));
  }
}

/** MomentumSGD (float32) whose compiler fused `v·momentum − lr·g` across the two in-place statements. */
function momentumFused(dtype: Dtype, b: unknown, segments: readonly Segment[]): void {
  const { param, grad, state } = b as Bufs;
  const v = state["v"] as Float32Array | Float64Array;
  const r = rounder(dtype);
  for (const s of segments) {
    const mom = r(s.hp["momentum"] as number);
    const lr = r(s.hp["lr"] as number);
    for (let i = s.offset; i < s.offset + s.length; i++) {
      v[i] = r((v[i] as number) * mom - r(lr * (grad[i] as number)));
      param[i] = r((param[i] as number) + (v[i] as number));
    }
  }
}

/** MomentumSGD whose parameter step reads the velocity from before this step. */
function momentumStale(dtype: Dtype, b: unknown, segments: readonly Segment[]): void {
  const { param, grad, state } = b as Bufs;
  const v = state["v"] as Float32Array | Float64Array;
  const r = rounder(dtype);
  for (const s of segments) {
    const mom = r(s.hp["momentum"] as number);
    const lr = r(s.hp["lr"] as number);
    for (let i = s.offset; i < s.offset + s.length; i++) {
      const old = v[i] as number;
      v[i] = r(r(old * mom) - r(lr * (grad[i] as number)));
      param[i] = r((param[i] as number) + old);
    }
  }
}

interface WrongBackend {
  readonly bug: string;
  readonly backend: AnyBackend;
  readonly filter: string;
  readonly groups?: readonly string[];
  /** The clauses a failure may cite (the most specific one the mistake violates). */
  readonly clauses: readonly string[];
  /** The catalogued mistake the diagnosis must name (any of these). */
  readonly variant?: readonly string[];
}

const KERNELS = ["optimizer kernels", "hook kernels"];

/** The run every test here makes: fixed seed, no golden data, the kernel groups unless told. */
const options = (filter: string, groups: readonly string[] = KERNELS) => ({
  filter,
  numRuns: 100,
  seed: 20261125,
  goldenDir: null,
  groups,
});

const WRONG: readonly WrongBackend[] = [
  {
    bug: "off-by-one t in Adam's bias correction",
    backend: withOptimizer("wrong-adam-t", "Adam", (d, b, segs) =>
      kernel("Adam").update(
        d,
        b,
        segs.map((s) => ({ ...s, t: s.t + 1 })),
      ),
    ),
    filter: "kernel/Adam/",
    clauses: ["adam.alpha-t"],
    variant: ["t-plus-one"],
  },
  {
    bug: "beta1 ** t one step late in Adam's bias correction (float64)",
    backend: withOptimizer("wrong-adam-beta1-late", "Adam", adam64With("beta1-power-late")),
    filter: "kernel/Adam/float64",
    clauses: ["adam.alpha-t"],
    variant: ["beta1-power-late"],
  },
  {
    bug: "Adam's eps inside the square root (float64)",
    backend: withOptimizer("wrong-adam-eps", "Adam", adam64With("eps-inside-sqrt")),
    filter: "kernel/Adam/float64",
    clauses: ["adam.update.step"],
    variant: ["eps-inside-sqrt"],
  },
  {
    bug: "AdaBound's bounds computed with t − 1 (float64)",
    backend: withOptimizer("wrong-adabound-t", "Adam", adam64With("bounds-t-minus-one")),
    filter: "kernel/AdaBound/float64",
    clauses: ["adam.bounds"],
    variant: ["bounds-t-minus-one"],
  },
  {
    bug: "RMSprop eps outside instead of inside the square root",
    backend: withOptimizer("wrong-rmsprop-eps", "RMSprop", (d, b, segs) =>
      kernel("RMSprop").update(
        d,
        b,
        segs.map((s) => ({ ...s, hp: { ...s.hp, eps_inside_sqrt: false } })),
      ),
    ),
    filter: "kernel/RMSprop/",
    clauses: ["rmsprop.update"],
    variant: ["eps-inside-sqrt"],
  },
  {
    bug: "WeightDecay hook dropped",
    backend: { ...js, name: "wrong-no-weight-decay", hooks: { ...js.hooks, WeightDecay: { apply: () => undefined } } },
    filter: "hook/WeightDecay/",
    clauses: ["hooks.weight-decay"],
    variant: ["segment-skipped"],
  },
  {
    bug: "WeightDecay's rate left in float64 where numpy rounds it to float32",
    backend: {
      ...js,
      name: "wrong-weight-decay-rate",
      hooks: {
        ...js.hooks,
        WeightDecay: {
          apply: (_d, b, segs) => {
            const { param: p, grad: g } = b as { param: Float32Array; grad: Float32Array };
            for (const s of segs)
              for (let i = s.offset; i < s.offset + s.length; i++)
                g[i] = Math.fround(g[i]! + Math.fround((s.scalars["rate"] as number) * p[i]!));
          },
        },
      },
    },
    filter: "hook/WeightDecay/float32",
    clauses: ["hooks.weight-decay"],
    variant: ["scalar-unrounded"],
  },
  {
    bug: "two float operations swapped in AdaGrad (only the last bits change)",
    backend: withOptimizer("wrong-adagrad-order", "AdaGrad", adaGradSwapped),
    filter: "kernel/AdaGrad/",
    clauses: ["adagrad.update"],
  },
  {
    bug: "SIMD tail skipped in SGD (elements past the last multiple of 4 untouched)",
    backend: withOptimizer("wrong-sgd-tail", "SGD", (d, b, segs) =>
      kernel("SGD").update(
        d,
        b,
        segs.map((s) => ({ ...s, length: s.length & ~3 })),
      ),
    ),
    filter: "kernel/SGD/",
    clauses: ["sgd.update"],
    variant: ["simd-tail-skipped-4"],
  },
  {
    bug: "signed zero: SGD writes +0 where Chainer writes −0",
    backend: withOptimizer("wrong-sgd-signed-zero", "SGD", (d, b, segs) => {
      syncResult(kernel("SGD").update(d, b, segs), "SGD");
      const { param } = b as Bufs;
      for (const s of segs)
        for (let i = s.offset; i < s.offset + s.length; i++) if (Object.is(param[i], -0)) param[i] = 0;
    }),
    filter: "kernel/SGD/",
    clauses: ["sgd.update"],
  },
  {
    bug: "Segment.offset ignored (every segment computed at offset 0)",
    backend: withOptimizer("wrong-sgd-offset", "SGD", (d, b, segs) =>
      kernel("SGD").update(
        d,
        b,
        segs.map((s) => ({ ...s, offset: 0 })),
      ),
    ),
    filter: "kernel/SGD/",
    clauses: ["sgd.update"],
    variant: ["offset-ignored", "segment-skipped"],
  },
  {
    bug: "the first segment's hyperparameters, t and extras applied to every segment",
    backend: withOptimizer("wrong-adam-first-segment", "Adam", (d, b, segs) =>
      kernel("Adam").update(
        d,
        b,
        segs.map((s) => ({ ...s, hp: segs[0]!.hp, t: segs[0]!.t, extras: segs[0]!.extras })),
      ),
    ),
    filter: "kernel/Adam/float64",
    clauses: ["adam.update.moments", "adam.update.amsgrad", "adam.update.param"],
    variant: ["first-segment-settings"],
  },
  {
    bug: "sumSquares in four lanes (a reordered reduction)",
    backend: { ...js, name: "wrong-sum-lanes", reductions: { ...js.reductions, sumSquares: fourLanes } },
    filter: "reduction/",
    groups: ["reductions"],
    clauses: ["numerics.dot.sequential"],
    variant: ["lanes-4"],
  },
  {
    bug: "float16 computed in float32 and rounded once",
    backend: float16Backend("wrong-f16-single-rounding", true),
    filter: "kernel/SGD/float16",
    clauses: ["sgd.update"],
    variant: ["float16-single-rounding"],
  },
  {
    bug: "fused multiply-add in SGD (float32)",
    backend: withOptimizer("wrong-sgd-fma", "SGD", sgdFused),
    filter: "kernel/SGD/float32",
    clauses: ["sgd.update"],
    variant: ["fused-multiply-add"],
  },
  {
    bug: "fused multiply-add across MomentumSGD's in-place statements (float32)",
    backend: withOptimizer("wrong-momentum-fma", "MomentumSGD", momentumFused),
    filter: "kernel/MomentumSGD/float32",
    clauses: ["momentum-sgd.update"],
    variant: ["fused-multiply-add"],
  },
  {
    bug: "MomentumSGD skips elements whose gradient is zero",
    backend: withOptimizer(
      "wrong-momentum-zero-grad",
      "MomentumSGD",
      keeping("MomentumSGD", (b, _s, i) => b.grad[i] === 0),
    ),
    filter: "kernel/MomentumSGD/",
    clauses: ["momentum-sgd.update"],
    variant: ["zero-grad-skipped"],
  },
  {
    bug: "MomentumSGD steps the parameter with the stale velocity",
    backend: withOptimizer("wrong-momentum-stale", "MomentumSGD", momentumStale),
    filter: "kernel/MomentumSGD/",
    clauses: ["momentum-sgd.update"],
    variant: ["stale-state"],
  },
];

describe("the conformance kit catches wrong backends", () => {
  for (const w of WRONG) {
    it(`${w.bug} → fails citing ${w.clauses.join(" or ")}${w.variant ? `, diagnosed as ${w.variant.join(" or ")}` : ""}`, async () => {
      const report = await runConformance(w.backend, options(w.filter, w.groups));
      expect(report.ok).toBe(false);
      const failures = report.checks.flatMap((c) => c.failures);
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(w.clauses).toContain(f.clause);
        expect(f.backend).toBe(w.backend.name);
        expect(f.replay).toContain(`--seed`);
        expect(f.counterexample.length).toBeGreaterThan(0);
        if (w.variant !== undefined) {
          expect(f.diagnosis?.summary).toBeDefined();
          // The named mistake, or one the shrunk counterexample cannot tell from it.
          const named = [f.diagnosis?.variant, ...(f.diagnosis?.alternatives ?? [])];
          expect(named.some((v) => w.variant!.includes(v as string))).toBe(true);
        }
      }
      const bitDiff = failures.find((f) => f.expectedBits !== undefined);
      if (bitDiff !== undefined) expect(bitDiff.actualBits).not.toBe(bitDiff.expectedBits);
    });
  }

  it("a signed-zero difference is reported as such, with both bit patterns", async () => {
    const w = WRONG.find((x) => x.backend.name === "wrong-sgd-signed-zero")!;
    const report = await runConformance(w.backend, options("kernel/SGD/float32"));
    const f = report.checks.flatMap((c) => c.failures)[0]!;
    expect(f.detail).toMatch(/signed zero: backend \+0, spec -0/);
    expect(f.expectedBits).toBe("80000000");
    expect(f.actualBits).toBe("00000000");
  });

  it("the unmodified JS backend and the correct float16 backend pass the same checks", async () => {
    const correct16 = float16Backend("spec-f16", false);
    for (const w of WRONG) {
      const b = w.backend.dtypes.includes("float16") ? correct16 : js;
      const report = await runConformance(b, options(w.filter, w.groups));
      expect(report.checks.flatMap((c) => c.failures)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });
});
