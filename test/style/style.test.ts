import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/golden-dir.js";

/** Runs a tool from node_modules/.bin in the repository root: its exit status and what it printed. */
function tool(name: string, args: readonly string[]): { status: number; output: string } {
  try {
    const output = execFileSync(join(REPO_ROOT, "node_modules/.bin", name), args, {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: "pipe",
    });
    return { status: 0, output };
  } catch (err) {
    const e = err as { status?: number | null; stdout?: string; stderr?: string; message: string };
    return { status: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message };
  }
}

describe("style", () => {
  it("the type-aware linter (oxlint --type-aware --deny-warnings) reports nothing", () => {
    const r = tool("oxlint", ["--type-aware", "--deny-warnings", "."]);
    expect(r.status, `oxlint failed (npm run lint):\n${r.output}`).toBe(0);
  }, 120_000);

  it("the tree is formatted (prettier --check; npm run format fixes it)", () => {
    const r = tool("prettier", ["--check", "."]);
    expect(r.status, `prettier --check failed (npm run format):\n${r.output}`).toBe(0);
  }, 120_000);
});
