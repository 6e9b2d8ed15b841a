/**
 * The CLI as a stranger meets it: --help everywhere, exit code 2 with one line for every usage
 * mistake (unknown command or backend, a backend module missing or mistyping a member), and a
 * plain `.js` backend in a folder with no package.json (the ERR_REQUIRE_CYCLE_MODULE crash).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../scripts/cli/main.js";
import { GOLDEN_DIR, REPO_ROOT } from "../helpers/golden-dir.js";

const COMMANDS = ["conformance", "report", "golden", "clause", "clauses", "bench", "bench-compare", "bench-chart"];

afterEach(() => {
  vi.restoreAllMocks();
});

/** Run the CLI in this process (as the entry point does) and capture what it prints. */
async function cli(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const status = await runCli(args);
  vi.restoreAllMocks();
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
}

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "optspec-usage-"));
  copyFileSync(join(REPO_ROOT, "test/conformance/fixtures/external-sgd-backend.mjs"), join(dir, "good.js"));
  copyFileSync(join(REPO_ROOT, "test/conformance/fixtures/external-sgd-backend.mjs"), join(dir, "good.mjs"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("optspec --help", () => {
  it("at the top lists every command and the exit codes", async () => {
    const r = await cli(["--help"]);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toMatch(/exit codes: 0 .*; 1 .*; 2 /);
  });

  it.each(COMMANDS)("%s --help prints its usage and exits 0 without running", async (c) => {
    const r = await cli([c, "--help"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: optspec ${c}`));
    expect(r.stdout).toMatch(/exit codes:/);
  });
});

describe("usage mistakes are one line and exit code 2", () => {
  it("an unknown command lists the known ones", async () => {
    const r = await cli(["conformence"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command "conformence"; commands: conformance, report/);
  });

  it("an unknown option names it", async () => {
    const r = await cli(["golden", "--verbos"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--verbos'/);
  });

  it("an unknown backend name lists the registered ones, with no stack", async () => {
    const r = await cli(["conformance", "--backend", "cuda"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown backend "cuda"; known backends: js/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ["only a name", `export default { name: "half" };`, /member "description" is missing/],
    [
      "no reductions",
      `import b from "./good.mjs"; const { reductions, ...rest } = b; export default rest;`,
      /member "reductions" must be an object with sumSquares, allFinite, scale, got nothing/,
    ],
    [
      "a mistyped reduction",
      `import b from "./good.mjs"; export default { ...b, reductions: { ...b.reductions, scale: 3 } };`,
      /member "reductions\.scale" must be a function, got number/,
    ],
    [
      "a kernel without update",
      `import b from "./good.mjs"; export default { ...b, optimizers: { ...b.optimizers, Adam: {} } };`,
      /member "optimizers\.Adam\.update" is missing/,
    ],
    [
      "a bad dtype",
      `import b from "./good.mjs"; export default { ...b, dtypes: ["float32", "bfloat16"] };`,
      /member "dtypes" lists "bfloat16"/,
    ],
  ])("a backend module with %s is rejected before the kit runs", async (_what, text, message) => {
    const dir = folderWith({ "bad.mjs": text });
    const r = await cli(["conformance", "--backend", join(dir, "bad.mjs")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(2); // the error and the pointer to --help
  });
});

describe("a plain .js backend outside any package, through the real entry point", () => {
  it("loads and conforms (no ERR_REQUIRE_CYCLE_MODULE), top-level await included", () => {
    const dir = folderWith({ "tla.js": 'const { default: b } = await import("./good.js");\nexport default b;\n' });
    const r = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, "scripts/optspec.mjs"),
        "conformance",
        "--backend",
        "./tla.js",
        "--runs",
        "5",
        "--seed",
        "3",
        "--filter",
        "kernel/SGD/float32",
        "--no-golden",
      ],
      { cwd: dir, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ kernel\/SGD\/float32 passed/);
  });
});

describe("golden directories: bundled by default, --golden adds, --no-bundled-golden replaces", () => {
  /** A golden directory of one file copied from the bundled data, and its number of cases. */
  function oneFileGolden(): { dir: string; cases: number } {
    const dir = mkdtempSync(join(tmpdir(), "optspec-golden-"));
    const text = readFileSync(join(GOLDEN_DIR, "optimizers", "SGD.json"), "utf8");
    writeFileSync(join(dir, "SGD.json"), text);
    return { dir, cases: (JSON.parse(text) as { cases: unknown[] }).cases.length };
  }

  it("--no-bundled-golden --golden DIR replays only that directory, counted in cases", async () => {
    const g = oneFileGolden();
    const r = await cli([
      "conformance",
      "--backend",
      "js",
      "--filter",
      "golden",
      "--runs",
      "1",
      "--no-bundled-golden",
      "--golden",
      g.dir,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`✓ golden passed — ${g.cases} cases`);
    expect(r.stdout).not.toMatch(/✓ golden:/);
  });

  it("--golden DIR adds a second golden check beside the bundled one", async () => {
    const g = oneFileGolden();
    const r = await cli(["conformance", "--backend", "js", "--filter", "golden", "--runs", "1", "--golden", g.dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ golden passed — \d+ cases/);
    expect(r.stdout).toContain(`✓ golden:${g.dir} passed — ${g.cases} cases`);
  });

  it("a --golden directory that does not exist is a usage error", async () => {
    const r = await cli(["conformance", "--backend", "js", "--golden", "/nonexistent/golden"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--golden: no directory at \/nonexistent\/golden/);
  });
});

describe("bench names are checked before anything runs", () => {
  it("an unknown kernel or backend lists the known ones", async () => {
    const k = await cli(["bench", "--smoke", "--kernels", "Adam,Adamm"]);
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/--kernels: unknown "Adamm"; known: SGD, .*Adam.*WeightDecay/);
    const b = await cli(["bench", "--smoke", "--backends", "cuda"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--backends: unknown "cuda"; known: js/);
  });
});

it("a --filter that matches no check is a usage error, not an empty pass", async () => {
  const r = await cli(["conformance", "--backend", "js", "--no-golden", "--filter", "kernel/Adamm"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--filter "kernel\/Adamm" matches no check/);
});
