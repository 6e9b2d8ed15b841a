/**
 * The kernel battery on an asynchronous backend: the JS backend with every call returning a
 * promise passes the same packed checks (run as async properties), and the same backend with a
 * wrong kernel fails them. A backend that declares "sync" but returns a promise is refused clearly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AnyBackend, HookKernel, OptimizerKernel } from "../../backends/contract.js";
import { kernelChecks } from "../../conformance/checks/kernels.js";
import { Mismatch } from "../../conformance/checks/types.js";
import { js } from "./wrong-backend-kit.js";

/** A result handed back on a later turn of the event loop. */
const later = <T>(v: T | Promise<T>): Promise<T> => new Promise<T>((resolve) => setTimeout(() => resolve(v), 0));

function asyncOf(b: AnyBackend, name: string): AnyBackend {
  const optimizers: Record<string, OptimizerKernel<unknown>> = {};
  for (const [k, o] of Object.entries(b.optimizers))
    optimizers[k] = { update: (d, bufs, segs) => later(o.update(d, bufs, segs)) };
  const hooks: Record<string, HookKernel<unknown>> = {};
  for (const [k, h] of Object.entries(b.hooks)) hooks[k] = { apply: (d, bufs, segs) => later(h.apply(d, bufs, segs)) };
  return {
    ...b,
    name,
    mode: "async",
    memory: {
      alloc: (d, n) => b.memory.alloc(d, n),
      write: (buf, v, o) => later(b.memory.write(buf, v, o)),
      read: (buf, o, n) => later(b.memory.read(buf, o, n)),
    },
    optimizers,
    hooks,
    reductions: {
      sumSquares: (d, buf, o, n) => later(b.reductions.sumSquares(d, buf, o, n)),
      allFinite: (d, buf, o, n) => later(b.reductions.allFinite(d, buf, o, n)),
      scale: (d, buf, o, n, r) => later(b.reductions.scale(d, buf, o, n, r)),
    },
  };
}

const IDS = [
  "kernel/Adam/float32",
  "kernel/MomentumSGD/float64",
  "hook/GradientLARS/float32",
  "hook/GradientClipping/float64",
  "reduction/sumSquares+allFinite/float32",
];

function propertyOf(backend: AnyBackend, id: string) {
  const check = kernelChecks().find((c) => c.id === id)!;
  return check.property!({ backend, seed: 5, numRuns: 15, backendRef: backend.name }, { value: 0 });
}

describe("the kernel battery on an asynchronous backend", () => {
  const asyncJs = asyncOf(js, "js-async");
  for (const id of IDS) {
    it(`${id}: the JS kernels behind promises pass`, async () => {
      await fc.assert(propertyOf(asyncJs, id) as fc.IAsyncProperty<[unknown]>, { seed: 5, numRuns: 15 });
    });
  }

  it("a wrong asynchronous kernel fails with the kernel's clause", async () => {
    const wrong = asyncOf(
      { ...js, optimizers: { ...js.optimizers, MomentumSGD: { update: () => undefined } } },
      "js-async-wrong",
    );
    const details = await fc.check(propertyOf(wrong, "kernel/MomentumSGD/float64") as fc.IAsyncProperty<[unknown]>, {
      seed: 5,
      numRuns: 50,
    });
    expect(details.failed).toBe(true);
    expect(details.errorInstance).toBeInstanceOf(Mismatch);
    expect(["momentum-sgd.update"]).toContain((details.errorInstance as Mismatch).diff.clause);
  });

  it('a backend that declares "sync" but returns promises is refused with a clear error', () => {
    const liar = { ...asyncOf(js, "liar"), mode: "sync" as const };
    const details = fc.check(propertyOf(liar, "kernel/Adam/float32") as fc.IProperty<[unknown]>, {
      seed: 5,
      numRuns: 5,
    });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/declares mode "sync" but a call returned a promise/);
  });
});
