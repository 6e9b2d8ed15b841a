import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/golden-dir.js";

describe("style", () => {
  it("the type-aware linter (oxlint --type-aware --deny-warnings) reports nothing", () => {
    let status = 0;
    let output = "";
    try {
      output = execFileSync(join(REPO_ROOT, "node_modules/.bin/oxlint"), ["--type-aware", "--deny-warnings", "."], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (err) {
      const e = err as { status?: number | null; stdout?: string; stderr?: string; message: string };
      status = e.status ?? 1;
      output = `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message;
    }
    expect(status, `oxlint failed:\n${output}`).toBe(0);
  }, 120_000);
});
