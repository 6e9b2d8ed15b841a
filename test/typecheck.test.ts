/** The whole tree type-checks under the strict tsconfig (TypeScript 7), and the browser page with the DOM library. */
import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers/golden-dir.js";

it.each([".", "browser"])("tsc -p %s reports no errors", (project) => {
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", project], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});
