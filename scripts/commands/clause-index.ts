/** The generated clause index (`spec/clauses/index.json`), as the lookup commands read it. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Registry, RegistryClause } from "../spec-doc/registry.js";
import { sourceText } from "../spec-doc/chainer-sources.js";

const INDEX = fileURLToPath(new URL("../../spec/clauses/index.json", import.meta.url));

export function readClauseIndex(): Registry {
  return JSON.parse(readFileSync(INDEX, "utf8")) as Registry;
}

export function isChecked(c: RegistryClause): boolean {
  return c.checks.tests.length > 0 || c.checks.golden.cases > 0 || c.checks.kit.length > 0;
}

/** Where a clause is explained: its anchor in the spec document. */
export function clauseLink(id: string): string {
  return `spec/SPEC.md#${id}`;
}

/** The full description of one clause, as `optspec clause <id>` prints it. */
export function describeClause(c: RegistryClause, reg: Registry): string {
  const { tests, golden, kit } = c.checks;
  const lines = [`${c.id} — ${clauseLink(c.id)}`, "", ...c.text.split("\n").map((l) => `  ${l}`), ""];
  for (const n of c.notes) lines.push(`  (${n.file}:${n.line}) ${n.text}`, "");
  lines.push(
    `implemented: ${[`${c.file}:${c.line}`, ...c.refs.filter((r) => r.file !== c.file || r.line !== c.line).map((r) => `${r.file}:${r.line}`)].join(", ")}`,
  );
  lines.push(
    `models:      ${c.source === null ? "(no source recorded)" : sourceText(c.source, { chainer: reg.chainer, sources: {} })}`,
  );
  lines.push("checked by:");
  if (tests.length > 0) lines.push(`  tests:  ${tests.join(", ")}`);
  if (golden.cases > 0)
    lines.push(`  golden: ${golden.cases} case(s) in ${golden.files.map((f) => `${f.file} (${f.cases})`).join(", ")}`);
  if (kit.length > 0) lines.push(`  conformance kit: ${kit.join(", ")}`);
  if (!isChecked(c)) lines.push(`  nothing${c.unchecked ? ` — ${c.unchecked}` : ""}`);
  return lines.join("\n");
}
