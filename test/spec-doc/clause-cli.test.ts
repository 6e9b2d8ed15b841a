/** `optspec clause <id>` and `optspec clauses [--unchecked]` read the generated clause index. */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/golden-dir.js";

function optspec(...args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, "scripts/optspec.mjs"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("clause lookup from the command line", () => {
  it("prints a clause cited as optspec:<id>: text, implementation, Chainer source, checks, anchor", () => {
    const r = optspec("clause", "optspec:adam.update.moments");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^adam\.update\.moments — spec\/SPEC\.md#adam\.update\.moments/);
    expect(r.stdout).toContain("`m ← m + [1−beta1]₆₄·(gI − m)`");
    expect(r.stdout).toMatch(/implemented: spec\/optimizers\/adam\.ts:\d+/);
    expect(r.stdout).toMatch(
      /models: +chainer\/chainer@v7\.8\.1 chainer\/optimizers\/adam\.py:\d+ AdamRule\.update_core_cpu/,
    );
    expect(r.stdout).toMatch(/golden: \d+ case\(s\) in .*optimizers\/Adam\.json \(9\)/);
    expect(r.stdout).toMatch(/conformance kit: .*kernel\/Adam\/float32/);
  });

  it("an unknown id exits 2 and suggests close ids", () => {
    const r = optspec("clause", ["adam", "update"].join(".")); // built: a literal would be a citation
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no clause adam\.update; did you mean adam\.update\.eps-check/);
  });

  it("lists every clause with what checks it; --unchecked prints nothing", () => {
    const all = optspec("clauses");
    expect(all.status).toBe(0);
    const lines = all.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(170);
    expect(lines.find((l) => l.startsWith("sgd.update\t"))).toMatch(/spec\/optimizers\/sgd\.ts:\d+\t.*golden case/);
    const unchecked = optspec("clauses", "--unchecked");
    expect(unchecked.status).toBe(0);
    expect(unchecked.stdout).toBe("");
  });
});
