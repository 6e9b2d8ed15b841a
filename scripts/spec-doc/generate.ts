/**
 * One generation of the citable spec: the registry (`spec/clauses/index.json`), the document
 * (`spec/SPEC.md`), and every problem with the clause lists and citations, each as a message that
 * says what to change.
 */
import { existsSync } from "node:fs";
import { specClauseDefs } from "../../conformance/clauses.js";
import { collectCoverage, isChecked, NO_CHECKS } from "./coverage.js";
import { readSources, sourceOf, SOURCES_FILE } from "./chainer-sources.js";
import { idListProblems, readIdList, readUnchecked, resolveId, REPO, uncheckedProblems } from "./lists.js";
import { buildRegistry, type Registry } from "./registry.js";
import { renderSpec } from "./render.js";
import { citedLiterals } from "./cited-ids.js";

export const SPEC_MD = "spec/SPEC.md";
export const INDEX_JSON = "spec/clauses/index.json";

export interface Generation {
  readonly registry: Registry;
  readonly markdown: string;
  readonly json: string;
  readonly problems: readonly string[];
}

export class GoldenMissingError extends Error {}

/** The registry as JSON with one section or clause per line, so that a changed clause is a one-line diff. */
function registryJson(reg: Registry): string {
  const list = (xs: readonly unknown[]) => `[\n${xs.map((x) => `  ${JSON.stringify(x)}`).join(",\n")}\n]`;
  const head = Object.entries(reg)
    .filter(([k]) => k !== "sections" && k !== "clauses")
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${[...head, `"sections": ${list(reg.sections)}`, `"clauses": ${list(reg.clauses)}`].join(",\n")}\n}\n`;
}

export function generate(goldenDir: string): Generation {
  if (!existsSync(goldenDir)) {
    throw new GoldenMissingError(
      `no golden directory at ${goldenDir}: the spec document counts the golden cases that check each clause (pass --golden DIR)`,
    );
  }
  const defs = specClauseDefs();
  const current = new Set(defs.keys());
  const list = readIdList();
  const unchecked = readUnchecked();
  const sources = readSources();
  const coverage = collectCoverage(REPO, goldenDir);
  const problems: string[] = [...idListProblems(current, list)];
  const uncheckedNow = new Set([...current].filter((id) => !isChecked(coverage.byClause.get(id) ?? NO_CHECKS)));
  problems.push(...uncheckedProblems(current, uncheckedNow, unchecked));
  for (const c of coverage.cited) {
    if (resolveId(c.id, current, list) === null)
      problems.push(`${c.by} cites clause ${c.id}, which the spec does not have`);
  }
  const families = new Set([...current].map((id) => id.split(".")[0] as string));
  for (const c of citedLiterals(REPO, families)) {
    if (resolveId(c.id, current, list) === null)
      problems.push(
        `${c.file}:${c.line} cites clause ${c.id}, which the spec does not have: state it with an @clause tag in spec/, or cite an existing id`,
      );
  }
  for (const [id, d] of defs) {
    if (d.text === "")
      problems.push(
        `clause ${id} has no text (${d.at.file}:${d.at.line} only names it): state the rule after one of its @clause tags`,
      );
  }
  for (const id of current) {
    if (sourceOf(id, sources) === null)
      problems.push(
        `clause ${id} has no entry in ${SOURCES_FILE}: add the Chainer 7.8.1 file and function it models (or a key matching its prefix)`,
      );
  }
  const registry = buildRegistry(coverage, sources, list, unchecked, defs);
  return { registry, markdown: renderSpec(registry), json: registryJson(registry), problems: [...new Set(problems)] };
}
