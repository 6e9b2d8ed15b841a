/**
 * The browser page in a real browser: Debian's headless Chromium driven by playwright-core. The page
 * is bundled into a temporary folder, served on loopback with the repository's golden data, and
 * must show the conformance table (every group of the JS backend passed, golden counted as the
 * cases it replayed), the legend, the bench table and the chart. `npm run test:browser` runs only
 * this file; the full suite runs it too. Without a Chromium it is skipped with the reason, unless
 * OPTSPEC_REQUIRE_BROWSER=1 (set by .ci/run), which makes a missing browser a failure.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { caseFiles, readGoldenDir } from "../../conformance/golden/source.js";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR, REPO_ROOT } from "../helpers/golden-dir.js";

const CHROMIUM = process.env["OPTSPEC_CHROMIUM"] ?? "/usr/bin/chromium";
const required = process.env["OPTSPEC_REQUIRE_BROWSER"] === "1";
const have = existsSync(CHROMIUM);
// Flags for a sandbox-less machine with a closed network (no background connections, no GPU process).
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Every case of every file of the golden directory: the page must replay them all. */
function goldenCaseCount(): number {
  const src = readGoldenDir(GOLDEN_DIR);
  return caseFiles(src).reduce(
    (n, f) => n + ((JSON.parse(src.files.get(f) as string) as { cases?: unknown[] }).cases?.length ?? 0),
    0,
  );
}

interface PageView {
  readonly state: string;
  readonly status: string;
  readonly conformance: string[][];
  readonly legend: string;
  readonly notes: string;
  readonly bench: string[][];
  readonly chartBars: number;
  readonly errors: string[];
}

describe.skipIf(!have && !required)(`the browser page in headless Chromium (${CHROMIUM})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "optspec-page-"));
  let server: Server;
  let view: PageView;

  beforeAll(async () => {
    if (!have) throw new Error(`no Chromium at ${CHROMIUM} (install Debian's chromium, or set OPTSPEC_CHROMIUM)`);
    const { buildBrowser } = (await import(join(REPO_ROOT, "scripts/build-browser.mjs"))) as {
      buildBrowser: (root: string, out: string, base?: string) => Promise<void>;
    };
    const { serve } = (await import(join(REPO_ROOT, "scripts/serve.mjs"))) as {
      serve: (m: Record<string, string>, port?: number) => Promise<Server>;
    };
    await buildBrowser(REPO_ROOT, join(dir, "browser"));
    server = await serve({ "/dist/": dir, "/golden/": join(REPO_ROOT, "golden") });
    const addr = server.address();
    const port = typeof addr === "object" && addr !== null ? addr.port : 0;
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS }); // playwright gives each launch a new empty profile
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/?runs=5&seed=7`);
      await page.waitForFunction("document.body.dataset.state !== 'loading'", null, { timeout: 150_000 });
      const rows = (sel: string) =>
        page
          .locator(`${sel} tbody tr`)
          .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
      view = {
        state: (await page.locator("body").getAttribute("data-state")) ?? "",
        status: (await page.locator("#status").textContent()) ?? "",
        conformance: await rows("#conformance"),
        legend: (await page.locator("#conformance .legend").textContent()) ?? "",
        notes: (await page.locator("#conformance .notes").textContent()) ?? "",
        bench: await rows("#bench"),
        chartBars: await page.locator("#bench-chart rect").count(),
        errors,
      };
    } finally {
      await browser.close();
    }
  }, 180_000);

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finishes without a page error", () => {
    expect(view.errors).toEqual([]);
    expect(view.state).toBe("done");
    expect(view.status).toMatch(/^done: 2 of 2 backends conform \(24 golden files\)/);
  });

  it("shows every check group of the JS and Wasm backends passed with 0 ulp", () => {
    for (const name of ["js", "wasm"]) {
      const rows = view.conformance.filter((r) => r[0] === name);
      expect(rows.map((r) => r[1])).toEqual([
        "optimizer kernels",
        "hook kernels",
        "reductions",
        "trajectories",
        "golden",
      ]);
      for (const r of rows) {
        expect(r[3]).toMatch(/^passed (\d+) of \1 checks/);
        expect(r[4]).toBe("0");
      }
    }
  });

  it("lists WebGPU with the browser's reason when the page has no GPU (headless, --disable-gpu)", () => {
    const gpu = view.conformance.find((r) => r[0] === "webgpu");
    expect(gpu?.[3]).toMatch(/^unavailable in this browser: .*navigator\.gpu (gives no adapter|is absent)/);
  });

  it("counts golden as the real-Chainer cases it replayed over HTTP, and explains n/a", () => {
    const golden = view.conformance.find((r) => r[0] === "js" && r[1] === "golden");
    expect(golden?.[3]).toBe(`passed 1 of 1 checks (${goldenCaseCount()} cases replayed)`);
    expect(view.conformance.find((r) => r[1] === "optimizer kernels")?.[2]).toMatch(/^\d+ \+ \d+ n\/a$/);
    expect(view.legend).toMatch(/n\/a: the check does not apply to this backend/);
    expect(view.notes).toMatch(/js: n\/a because the backend does not compute float16 \(those run through the spec\)/);
    expect(view.notes).toMatch(/spec clauses: \d+ checked by this run, \d+ not checked/);
  });

  it("shows a bench table and a chart with one bar per measured kernel and size", () => {
    expect(view.bench.length).toBe(12);
    expect(new Set(view.bench.map((r) => r[0]))).toEqual(new Set(["js", "wasm"]));
    for (const r of view.bench) expect(Number(r[3])).toBeGreaterThan(0);
    // One bar per row plus one legend swatch per backend.
    expect(view.chartBars).toBe(view.bench.length + 2);
  });
});
