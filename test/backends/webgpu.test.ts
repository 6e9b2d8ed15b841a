/**
 * The WebGPU backend on whatever adapter this machine has (SwiftShader in CI): the derived-bound
 * battery passes, wrong WGSL kernels are caught with the clause they break, bad input and a lost
 * device surface as named errors. Without an adapter these tests are skipped locally, but fail
 * under CI (OPTSPEC_REQUIRE_WEBGPU=1, set by .ci/run, which installs SwiftShader).
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR, REPO_ROOT } from "../helpers/golden-dir.js";
import {
  createWebgpuBackend,
  webgpuAdapter,
  webgpuBackend,
  OPTIMIZER_WGSL,
  optimizerSource,
  WebgpuDeviceLostError,
  WebgpuOutOfMemoryError,
} from "../../backends/webgpu/index.js";
import { optimizerKernel } from "../../backends/webgpu/optimizers.js";
import { resetDevice, gpu } from "../../backends/webgpu/device.js";
import type { AnyBackend, Backend } from "../../backends/contract.js";
import type { WebgpuBuffer } from "../../backends/webgpu/memory.js";
import { runBoundedConformance } from "../../conformance/bounded.js";
import { alphaT } from "../../spec/optimizers/adam.js";
import { addHook, createOptimizer, setGrads, setup, update, weightDecay, withNumerics } from "../../spec/index.js";
import { ResidentRun } from "../../backends/resident/index.js";
import { WGSL_F32_ARITHMETIC } from "../../backends/webgpu/accuracy.js";
import { intervalNumerics } from "../../conformance/intervals/context.js";
import { emptyTally, judge } from "../../conformance/intervals/verdict.js";
import { gradsFor, smallLink } from "../helpers/fixtures.js";

const adapter = await webgpuAdapter();
const required = process.env["OPTSPEC_REQUIRE_WEBGPU"] === "1";

describe("webgpu adapter", () => {
  it("exists where CI requires it", () => {
    if (required) expect(adapter.reason ?? "adapter found").toBe("adapter found");
    else expect(adapter.ok || typeof adapter.reason === "string").toBe(true);
  });
});

describe("webgpu without an adapter", () => {
  it("says why it is unavailable instead of throwing (npm start lists the reason)", () => {
    const code = `import { webgpuBackend } from "./backends/webgpu/index.js"; console.log("RESULT " + JSON.stringify(await webgpuBackend.available()));`;
    const out = execFileSync(process.execPath, ["--import", "tsx/esm", "--input-type=module", "-e", code], {
      cwd: REPO_ROOT,
      env: { ...process.env, VK_ICD_FILENAMES: "/nonexistent/icd.json" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const r = JSON.parse(out.split("RESULT ")[1]!) as { ok: boolean; reason?: string };
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/no WebGPU adapter|package "webgpu" is not installed/);
  });
});

const withGpu = adapter.ok ? describe : describe.skip;

withGpu(`webgpu backend on ${adapter.adapter ?? "no adapter"}`, () => {
  beforeAll(async () => {
    expect(await webgpuBackend.available!()).toMatchObject({ ok: true });
  });

  it("stays within the derived intervals on every kernel, hook, reduction and trajectory", async () => {
    const report = await runBoundedConformance(webgpuBackend, { seed: 1313, numRuns: 6 });
    const failed = report.checks.filter((c) => c.status !== "passed");
    expect(failed.map((c) => `${c.check}: ${c.error ?? ""} ${JSON.stringify(c.failures[0] ?? {})}`)).toEqual([]);
    expect(report.checks.length).toBeGreaterThanOrEqual(36);
    // Every check compared real elements.
    for (const c of report.checks) expect(c.tally.inside, c.check).toBeGreaterThan(0);
  });

  it("replays golden trajectories recorded from Chainer, each step within the intervals from its own previous state", async () => {
    const r = await runBoundedConformance(webgpuBackend, {
      groups: ["golden"],
      goldenDir: GOLDEN_DIR,
      goldenFilter: "Adam/float32",
    });
    const g = r.checks.find((c) => c.check === "bounded/golden")!;
    expect(g.failures).toEqual([]);
    expect(g.status).toBe("passed");
    expect(g.runs).toBeGreaterThan(10);
    expect(g.tally.inside).toBeGreaterThan(100);
  });

  /** The battery run on one check of a variant backend; returns the first failure's clause. */
  async function firstFailure(
    b: AnyBackend,
    filter: string,
  ): Promise<{ clause: string | undefined; what: string | undefined }> {
    const r = await runBoundedConformance(b, { seed: 7, numRuns: 20, filter });
    const failed = r.checks.find((c) => c.status === "failed");
    return { clause: failed?.failures[0]?.clause, what: failed?.failures[0]?.what };
  }

  it("catches an Adam kernel with eps inside the square root (adam.update.param)", async () => {
    const src = optimizerSource("Adam", OPTIMIZER_WGSL["Adam"]!);
    expect(src.body).toContain("sqrt(u) + eps");
    const wrong = createWebgpuBackend({
      name: "webgpu-eps-inside",
      kernels: { Adam: { ...src, body: src.body.replace("sqrt(u) + eps", "sqrt(u + eps)") } },
    });
    expect(wrong.optimizers["Adam"]).not.toBe(webgpuBackend.optimizers["Adam"]);
    expect(await firstFailure(wrong, "bounded/kernel/Adam/")).toMatchObject({ clause: "adam.update.param" });
  });

  it("catches RMSprop computing eps outside the square root when eps_inside_sqrt is set (rmsprop.update)", async () => {
    const src = optimizerSource("RMSprop", OPTIMIZER_WGSL["RMSprop"]!);
    expect(src.body).toContain("denom = sqrt(msi + eps);");
    const wrong = createWebgpuBackend({
      name: "webgpu-eps-outside",
      kernels: { RMSprop: { ...src, body: src.body.replace("denom = sqrt(msi + eps);", "denom = sqrt(msi) + eps;") } },
    });
    expect(await firstFailure(wrong, "bounded/kernel/RMSprop/")).toMatchObject({ clause: "rmsprop.update" });
  });

  it("catches a dropped bias correction (alpha instead of alpha_t) in Adam's step (adam.update.param)", async () => {
    let seen = 0;
    const dropped = optimizerKernel("Adam", OPTIMIZER_WGSL["Adam"]!, {
      scalar: (name, value, seg) => {
        if (name !== "alpha_t") return value;
        expect(value).toBe(alphaT(seg.hp, seg.t));
        seen++;
        return seg.hp["alpha"] as number;
      },
    });
    const wrong: Backend<WebgpuBuffer> = {
      ...webgpuBackend,
      name: "webgpu-no-bias-correction",
      optimizers: { ...webgpuBackend.optimizers, Adam: dropped },
    };
    expect(await firstFailure(wrong, "bounded/kernel/Adam/")).toMatchObject({ clause: "adam.update.param" });
    expect(seen).toBeGreaterThan(0);
  });

  it("catches an off-by-one workgroup tail that writes one element past each segment (sgd.update)", async () => {
    const src = optimizerSource("SGD", OPTIMIZER_WGSL["SGD"]!);
    const wrong = createWebgpuBackend({ name: "webgpu-tail", kernels: { SGD: { ...src, bound: "<=" } } });
    const f = await firstFailure(wrong, "bounded/kernel/SGD/");
    expect(f.clause).toBe("sgd.update");
    expect(f.what).toMatch(/outside its segments/);
  });

  it("runs a resident optimizer (Adam with weight decay), each step within the spec's intervals from the previous snapshot", async () => {
    let prev = addHook(setup(createOptimizer("Adam", { alpha: 0.01 }), smallLink("float32", 7)), weightDecay(1e-2));
    const run = (await ResidentRun.create(prev, webgpuBackend)) as ResidentRun;
    expect(run.residentPaths.length).toBe(4);
    const tally = emptyTally();
    for (let step = 0; step < 3; step++) {
      const g = gradsFor(prev, 40 + step);
      const ev = intervalNumerics(WGSL_F32_ARITHMETIC);
      const expected = withNumerics(ev.ctx, () => update(setGrads(prev, g)));
      await run.setGrads(g);
      await run.update();
      const now = await run.snapshot();
      expect(now.t).toBe(expected.t);
      for (const [path, p] of Object.entries(expected.target!.params)) {
        const got = now.target!.params[path]!.data!;
        expect(
          judge(`${path} step ${step}`, "adam.update.param", p.data!.data, ev.intervalOf(p.data!), got.data, tally),
        ).toEqual([]);
        for (const [k, v] of Object.entries(expected.rules[path]!.state ?? {})) {
          expect(
            judge(
              `${path}.${k}`,
              "adam.update.moments",
              v.data,
              ev.intervalOf(v),
              now.rules[path]!.state![k]!.data,
              tally,
            ),
          ).toEqual([]);
        }
      }
      prev = now;
    }
    // The formulas' intervals reached the resident state (not point intervals of copies).
    expect(Math.max(...tally.widths)).toBeGreaterThan(0);
    expect(tally.inside).toBeGreaterThan(50);
  });

  it("refuses bad input with a clear error and leaves the buffers unchanged", async () => {
    const m = webgpuBackend.memory;
    const p = m.alloc("float32", 4);
    const g = m.alloc("float32", 4);
    await m.write(p, [1, 2, 3, 4]);
    await m.write(g, [1, 1, 1, 1]);
    const sgd = webgpuBackend.optimizers["SGD"]!;
    const seg = (offset: number, length: number) => ({ offset, length, hp: { lr: 0.5 }, t: 1, extras: {} });
    await expect(async () =>
      sgd.update("float32", { param: p, grad: g, state: {} }, [seg(0, 2), seg(3, 2)]),
    ).rejects.toThrow(RangeError);
    await expect(async () => sgd.update("float64", { param: p, grad: g, state: {} }, [seg(0, 2)])).rejects.toThrow(
      /float32 only/,
    );
    expect(() => m.alloc("float64", 4)).toThrow(TypeError);
    expect(Array.from(await m.read(p))).toEqual([1, 2, 3, 4]);
    await sgd.update("float32", { param: p, grad: g, state: {} }, [seg(1, 2)]);
    expect(Array.from(await m.read(p))).toEqual([1, 1.5, 2.5, 4]);
  });

  it("fills and divides spans for resident runs (a divisor beyond float32 through the host)", async () => {
    const m = webgpuBackend.memory;
    const x = m.alloc("float32", 6);
    await m.write(x, [1, 2, 3, 4, 5, 6]);
    const ew = webgpuBackend.elementwise!;
    await ew.fill(
      "float32",
      x,
      [
        { offset: 0, length: 1 },
        { offset: 5, length: 1 },
      ],
      -0.5,
    );
    await ew.divide("float32", x, [{ offset: 1, length: 2 }], 4);
    await ew.divide("float32", x, [{ offset: 3, length: 1 }], 1e39);
    expect(Array.from(await m.read(x))).toEqual([-0.5, 0.5, 0.75, Math.fround(4 / 1e39), 5, -0.5]);
    await expect(async () => ew.fill("float32", x, [{ offset: 4, length: 3 }], 0)).rejects.toThrow(RangeError);
  });

  it("reports an allocation beyond the device's largest buffer as out of memory", () => {
    const max = gpu().device.limits.maxBufferSize;
    expect(() => webgpuBackend.memory.alloc("float32", max / 4 + 1)).toThrow(WebgpuOutOfMemoryError);
  });

  it("surfaces a lost device as WebgpuDeviceLostError; a fresh device serves a new run", async () => {
    const m = webgpuBackend.memory;
    const p = m.alloc("float32", 2);
    await m.write(p, [1, 2]);
    const snapshot = Array.from(await m.read(p)); // what a caller holds from its last read
    gpu().device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await expect(async () => m.read(p)).rejects.toThrow(WebgpuDeviceLostError);
    resetDevice();
    expect(await webgpuBackend.available!()).toMatchObject({ ok: true });
    const q = m.alloc("float32", 2);
    await m.write(q, snapshot);
    expect(Array.from(await m.read(q))).toEqual([1, 2]);
  });

  afterAll(() => {
    try {
      gpu().device.destroy();
    } catch {
      // already lost
    }
    resetDevice();
  });
});
