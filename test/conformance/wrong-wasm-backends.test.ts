/**
 * Wasm-specific mistakes the kit must catch, each a real Wasm module compiled from the committed
 * AssemblyScript source with one deliberate slip, run as a backend over its own linear memory:
 *
 * - a mishandled SIMD tail: Adam's scalar tail written with float64 intermediates (one rounding at
 *   the store) while the lanes round every operation to float32;
 * - a lane-order slip: SGD's gradient vector used with its two 64-bit halves swapped;
 * - a lane-mask slip: numpy's maximum without the NaN mask, so a NaN gradient lane is replaced by
 *   the lower bound in GradientHardClipping.
 *
 * The conformance run must fail and name the clause each mistake violates; the correct module
 * passes the same checks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { OPTIMIZERS } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import { runConformance } from "../../conformance/index.js";
import { compileKernels } from "../../backends/wasm/build.js";
import { WasmHeap, createWasmBackend, wasmBackend } from "../../backends/wasm/index.js";
import { compileModule } from "../../backends/wasm/instance.js";

interface Slip {
  readonly bug: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly filter: string;
  readonly clauses: readonly string[];
}

const SLIPS: readonly Slip[] = [
  {
    bug: "SIMD tail mishandled: Adam's float32 tail computes in float64",
    file: "adam.ts",
    from: "    let step: T = at / (sqrt<T>(u) + eps);",
    to: "    let step: T = <T>(<f64>at / (Math.sqrt(<f64>u) + <f64>eps));",
    filter: "kernel/Adam/float32",
    // Only the step changes, so only the parameter differs: m and v stay exact.
    clauses: [OPTIMIZERS["Adam"]!.clause],
  },
  {
    bug: "lane-order slip: SGD multiplies lr by the gradient with its 64-bit halves swapped",
    file: "sgd-family.ts",
    from: "v128.store(pp + o, v128.sub<T>(v128.load(pp + o), v128.mul<T>(vlr, v128.load(gp + o))));",
    to: "v128.store(pp + o, v128.sub<T>(v128.load(pp + o), v128.mul<T>(vlr, v128.shuffle<i64>(v128.load(gp + o), v128.load(gp + o), 1, 0))));",
    filter: "kernel/SGD/",
    clauses: ["sgd.update"],
  },
  {
    bug: "lane-mask slip: maximum drops its NaN mask (GradientHardClipping's lower bound replaces NaN)",
    file: "numpy-lanes.ts",
    from: "return v128.bitselect(a, b, v128.or(v128.ge<T>(a, b), v128.ne<T>(a, a)));",
    to: "return v128.bitselect(a, b, v128.ge<T>(a, b));",
    filter: "hook/GradientHardClipping/",
    clauses: ["hooks.gradient-hard-clipping"],
  },
];

async function slipBackend(slip: Slip, name: string): Promise<AnyBackend> {
  let applied = 0;
  const bytes = await compileKernels((file, text) => {
    if (!file.endsWith(`/assembly/${slip.file}`)) return text;
    expect(text.split(slip.from).length, `${slip.file} holds the line to slip exactly once`).toBe(2);
    applied++;
    return text.replace(slip.from, slip.to);
  });
  expect(applied).toBeGreaterThan(0); // asc may read a file more than once
  return createWasmBackend(name, new WasmHeap(compileModule(bytes))) as unknown as AnyBackend;
}

const options = (filter: string) => ({
  filter,
  numRuns: 200,
  seed: 20261202,
  goldenDir: null,
  groups: ["optimizer kernels", "hook kernels"],
});

describe("the conformance kit catches Wasm-specific mistakes", () => {
  const backends: AnyBackend[] = [];
  beforeAll(async () => {
    for (const [i, s] of SLIPS.entries()) backends.push(await slipBackend(s, `wrong-wasm-${i}`));
  }, 180_000);

  SLIPS.forEach((slip, i) => {
    it(`${slip.bug} → fails citing ${slip.clauses.join(" or ")}`, async () => {
      const b = backends[i]!;
      const report = await runConformance(b, options(slip.filter));
      expect(report.ok).toBe(false);
      const failures = report.checks.flatMap((c) => c.failures);
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(slip.clauses).toContain(f.clause);
        expect(f.backend).toBe(b.name);
      }
      const bitDiff = failures.find((f) => f.expectedBits !== undefined);
      expect(bitDiff?.actualBits).not.toBe(bitDiff?.expectedBits);
    });
  });

  it("the correct Wasm module passes the same checks", async () => {
    for (const slip of SLIPS) {
      const report = await runConformance(wasmBackend as unknown as AnyBackend, options(slip.filter));
      expect(report.checks.flatMap((c) => c.failures)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });
});
