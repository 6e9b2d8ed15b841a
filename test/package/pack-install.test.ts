/**
 * optspec as a stranger installs it: `npm pack` (which builds dist/ through `prepare`), install the
 * tarball into a fresh folder, then from outside any package run `npx optspec conformance` on a plain
 * `.js` backend in a folder with no package.json, and import `optspec/spec` and `optspec/conformance`
 * with plain `node` (no TypeScript loader). The golden data ships in the package and is found there.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/golden-dir.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tmp = mkdtempSync(join(tmpdir(), "optspec-pack-"));
const app = join(tmp, "app");
const author = join(tmp, "author");
let files: string[] = [];

function run(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
  return {
    status: r.status,
    out: `${r.stdout ?? ""}${r.stderr ?? ""}`,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
  };
}

describe("npm pack → npm install → npx optspec, outside the repository", () => {
  beforeAll(() => {
    mkdirSync(app);
    mkdirSync(author);
    const pack = run(npm, ["pack", "--json", "--pack-destination", tmp], REPO_ROOT);
    if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.out}`);
    const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = (info[0]?.files ?? []).map((f) => f.path);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz")) as string;
    // Offline from the local npm cache when it has the dependencies, else from the registry.
    const inst = run(npm, ["install", "--prefer-offline", "--no-package-lock", join(tmp, tarball)], app);
    if (inst.status !== 0) throw new Error(`npm install of the tarball failed:\n${inst.out}`);
    copyFileSync(join(REPO_ROOT, "test/conformance/fixtures/external-sgd-backend.mjs"), join(author, "my-backend.js"));
  }, 150_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("ships compiled JS, declarations, the golden data and the browser page, and no tests or sources", () => {
    expect(files).toContain("dist/scripts/cli.js");
    expect(files).toContain("dist/spec/index.d.ts");
    expect(files).toContain("dist/conformance/index.js");
    expect(files).toContain("dist/browser/kit.js");
    expect(files).toContain("golden/README.md");
    expect(files).toContain("golden/index.json");
    expect(
      files.filter((f) => /^(test|\.ci|bench|spec|scripts|conformance|backends)\//.test(f) && f !== "spec/SPEC.md"),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("npx optspec conformance checks a plain .js backend in a folder with no package.json", () => {
    const r = run(
      npm,
      [
        "exec",
        "--prefix",
        app,
        "--",
        "optspec",
        "conformance",
        "--backend",
        "./my-backend.js",
        "--runs",
        "5",
        "--seed",
        "11",
      ],
      author,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ kernel\/SGD\/float32 passed/);
    expect(r.stdout).toMatch(/✓ golden passed — 250 cases, max 0 ulp/);
    expect(r.stdout).toMatch(/external-sgd: conforms: \d+ checks passed, 0 failed/);
  });

  it("npx optspec --help and optspec clause work from the installed bin", () => {
    const r = run(npm, ["exec", "--prefix", app, "--", "optspec", "--help"], author);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: optspec <command>/);
    const c = run(npm, ["exec", "--prefix", app, "--", "optspec", "clause", "sgd.update"], author);
    expect(c.stderr).toBe("");
    expect(c.status).toBe(0);
    expect(c.stdout).toMatch(/^sgd\.update — spec\/SPEC\.md#sgd\.update/);
    expect(files).toContain("spec/SPEC.md");
  });

  it("plain node imports optspec/spec and optspec/conformance and finds the bundled golden data", () => {
    const script = [
      'import { createOptimizer } from "optspec/spec";',
      'import { bundledGoldenDir, specClauses } from "optspec/conformance";',
      'const opt = createOptimizer("Adam", { alpha: 0.01 });',
      "console.log(JSON.stringify({ hp: opt.hyperparam.alpha, golden: bundledGoldenDir(), clauses: specClauses().size }));",
    ].join("\n");
    const r = run(process.execPath, ["--input-type=module", "-e", script], app);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { hp: number; golden: string; clauses: number };
    expect(out.hp).toBe(0.01);
    expect(out.golden).toBe(join(app, "node_modules", "optspec", "golden"));
    // The installed package lists the same clauses as the sources it was built from.
    const src = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx/esm",
        "--input-type=module",
        "-e",
        'import { specClauses } from "./conformance/clauses.ts"; console.log(specClauses().size);',
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    expect(out.clauses).toBe(Number(src.stdout.trim()));
  });

  it("a bundler resolves optspec for the browser (the browser condition) into a bundle without Node built-ins", async () => {
    const { build } = await import("esbuild");
    const r = await build({
      stdin: {
        contents:
          'import { createOptimizer, runConformance } from "optspec"; globalThis.out = [typeof createOptimizer, typeof runConformance];',
        resolveDir: app,
        loader: "js",
      },
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    expect(r.errors).toEqual([]);
    const code = r.outputFiles[0]?.text ?? "";
    expect(code).not.toMatch(/from ["']node:/);
    expect(code).toContain("createOptimizer");
  });

  it("TypeScript resolves the declarations of optspec/spec and optspec/conformance", () => {
    writeFileSync(
      join(app, "use.ts"),
      'import { createOptimizer } from "optspec/spec";\nimport { runConformance, type ConformanceReport } from "optspec/conformance";\nconst o: ReturnType<typeof createOptimizer> = createOptimizer("SGD");\nexport const r: (typeof runConformance) | ConformanceReport | typeof o = runConformance;\n',
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["use.ts"],
      }),
    );
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = run(process.execPath, [tsc, "-p", "."], app);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });
});
