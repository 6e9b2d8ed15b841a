/**
 * The backend author's path: a plain .js module outside the repository, checked with
 * `optspec conformance --backend ./file.js`. A correct backend exits 0; a broken one exits 1 and
 * the output names the clause, the bit patterns and the replay command.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/golden-dir.js";

function runCli(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "optspec-author-"));
  copyFileSync(join(REPO_ROOT, "test/conformance/fixtures/external-sgd-backend.mjs"), join(dir, "my-backend.mjs"));
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "scripts/optspec.mjs"), "conformance", "--backend", "./my-backend.mjs", ...args],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 120_000,
    },
  );
  return { ...r, dir };
}

describe("optspec conformance CLI on an external backend", () => {
  it("a correct external backend conforms (exit 0) and the JSON report lists unchecked clauses", () => {
    const r = runCli(["--runs", "15", "--no-golden", "--seed", "42", "--filter", "SGD", "--json", "report.json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kernel\/SGD\/float32 passed/);
    expect(r.stdout).toMatch(/external-sgd: conforms: \d+ checks passed, 0 failed, 0 expected failures, \d+ n\/a/);
    expect(r.stdout).toMatch(
      /n\/a because the backend does not compute float16, float64 .*; it supplies no kernel for /,
    );
    expect(r.stdout).toMatch(
      /spec clauses: \d+ checked by this run, \d+ not checked \(listed under "unchecked" in report\.json\)/,
    );
    const report = JSON.parse(readFileSync(join(r.dir, "report.json"), "utf8")) as {
      ok: boolean;
      unchecked: string[];
      clauses: Record<string, unknown>;
    };
    expect(report.ok).toBe(true);
    expect(report.clauses["sgd.update"]).toBeDefined();
    expect(report.unchecked.length).toBeGreaterThan(0);
  });

  it("a broken external backend (SIMD tail dropped) fails with clause, bits and replay command", () => {
    const r = runCli(["--runs", "100", "--no-golden", "--seed", "7", "--filter", "kernel/SGD/float32"], {
      OPTSPEC_TEST_BROKEN: "1",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /✗ external-broken kernel\/SGD\/float32 \[sgd\.update\]: (segment \d+ of \d+ \(offset \d+\): )?param element \d+: backend .* \(0x[0-9a-f]{8}\) vs spec .* \(0x[0-9a-f]{8}\)/,
    );
    expect(r.stdout).toMatch(
      /replay: npx optspec conformance --backend \.\/my-backend\.mjs --filter kernel\/SGD\/float32 --seed 7 --path /,
    );
    expect(r.stdout).toMatch(/clause: spec\/SPEC\.md#sgd\.update \(npx optspec clause sgd\.update\)/);
  });

  it("an expectations file turns the known failure into an expected one, and a stale entry fails the run", async () => {
    const { writeFileSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "optspec-exp-"));
    const file = join(dir, "known.json");
    writeFileSync(
      file,
      JSON.stringify([
        { backend: "external-broken", clause: "sgd.update", dtype: "float32", reason: "tail loop missing" },
      ]),
    );
    const broken = runCli(
      ["--runs", "100", "--no-golden", "--seed", "7", "--filter", "kernel/SGD/float32", "--expectations", file],
      { OPTSPEC_TEST_BROKEN: "1" },
    );
    expect(broken.status).toBe(0);
    expect(broken.stdout).toMatch(/0 failed, 1 expected failures/);
    writeFileSync(
      file,
      JSON.stringify([{ backend: "external-sgd", clause: "sgd.update", dtype: "float32", reason: "stale" }]),
    );
    const fixed = runCli([
      "--runs",
      "20",
      "--no-golden",
      "--seed",
      "7",
      "--filter",
      "kernel/SGD/float32",
      "--expectations",
      file,
    ]);
    expect(fixed.status).toBe(1);
    expect(fixed.stdout).toMatch(/unexpected-pass|stale/);
  });

  it("bad usage is a clear error", () => {
    const r = runCli(["--runs", "x"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--runs must be a non-negative integer/);
  });
});
