/**
 * `optspec conformance --backend <module path or registered name> [--seed N] [--runs N]
 *   [--path P] [--filter text] [--expectations file.json] [--json report.json] [--no-golden]`
 *
 * A backend module exports a `Backend` as `default` or as `backend`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import "../backends/index.js";
import { getBackend } from "../backends/registry.js";
import type { AnyBackend } from "../backends/contract.js";
import { formatFailure, parseExpectations, runConformance } from "../conformance/index.js";
import { clauseCommand } from "./commands/clause.js";
import { clausesCommand } from "./commands/clauses.js";

function usage(msg?: string): never {
  if (msg) console.error(`optspec: ${msg}`);
  console.error("usage: optspec clause <id> | optspec clauses [--unchecked]");
  console.error("usage: optspec conformance --backend <module.js|name> [--seed N] [--runs N] [--path P] [--filter text] [--expectations file] [--json out.json] [--no-golden]");
  process.exit(2);
}

async function loadBackend(ref: string): Promise<AnyBackend> {
  if (!/[/\\.]/.test(ref)) return getBackend(ref);
  const mod = (await import(pathToFileURL(resolve(ref)).href)) as { default?: AnyBackend; backend?: AnyBackend };
  const b = mod.default ?? mod.backend;
  if (b === undefined || typeof b !== "object" || typeof b.name !== "string") usage(`${ref} exports no backend (export it as default or as "backend")`);
  return b;
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "clause" || cmd === "clauses") {
    process.exitCode = (cmd === "clause" ? clauseCommand : clausesCommand)(rest);
    return;
  }
  if (cmd !== "conformance") usage(cmd === undefined ? "missing command" : `unknown command ${cmd}`);
  const opt = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (a === "--no-golden") flags.add(a);
    else if (a.startsWith("--")) {
      const v = rest[++i];
      if (v === undefined) usage(`${a} needs a value`);
      opt.set(a.slice(2), v);
    } else usage(`unexpected argument ${a}`);
  }
  const ref = opt.get("backend") ?? usage("--backend is required");
  const num = (k: string): number | undefined => {
    const v = opt.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) usage(`--${k} must be a non-negative integer, got ${v}`);
    return n;
  };
  const backend = await loadBackend(ref);
  const expFile = opt.get("expectations");
  const seed = num("seed");
  const numRuns = num("runs");
  const path = opt.get("path");
  const filter = opt.get("filter");
  const report = runConformance(backend, {
    ...(seed !== undefined ? { seed } : {}),
    ...(numRuns !== undefined ? { numRuns } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(filter !== undefined ? { filter } : {}),
    ...(expFile ? { expectations: parseExpectations(readFileSync(expFile, "utf8"), expFile) } : {}),
    ...(flags.has("--no-golden") ? { goldenDir: null } : {}),
    backendRef: ref,
    onCheck: (r) => {
      const mark = r.status === "passed" ? "✓" : r.status === "not-applicable" ? "·" : r.status === "expected-failure" ? "~" : "✗";
      console.log(`${mark} ${r.check} ${r.status}${r.reason ? ` (${r.reason})` : ""}${r.runs ? ` — ${r.runs} runs, max ${r.maxUlp} ulp, ${r.ms.toFixed(0)} ms` : ""}`);
      for (const f of r.failures) console.log(formatFailure(f));
    },
  });
  for (const e of report.stale) console.log(`✗ expectation passed unexpectedly (stale): ${JSON.stringify(e)}`);
  const counts = Object.values(report.clauses).reduce((a, c) => ({ passed: a.passed + c.passed, failed: a.failed + c.failed, expected: a.expected + c.expected }), { passed: 0, failed: 0, expected: 0 });
  console.log(`clauses checked: ${Object.keys(report.clauses).length}, not checked: ${report.unchecked.length} (${report.unchecked.slice(0, 12).join(", ")}${report.unchecked.length > 12 ? ", …" : ""})`);
  console.log(`seed ${report.seed}`);
  const json = opt.get("json");
  if (json) writeFileSync(json, JSON.stringify(report, null, 2));
  console.log(`conformance ${backend.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.expected} expected failures`);
  process.exitCode = report.ok ? 0 : 1;
}

await main();
