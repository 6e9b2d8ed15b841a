/**
 * What checks each clause, from three kinds of data: the clauses tests declare
 * (`clauses(...)`), the clauses each golden case exercises, and the clauses of each conformance-kit
 * check. Nothing here reads test titles.
 */
import { kernelChecks } from "../../conformance/checks/kernels.js";
import { trajectoryChecks } from "../../conformance/checks/trajectory.js";
import { goldenCaseClauses } from "../../conformance/golden/case-clauses.js";
import { type TestCitation, testCitations } from "./test-metadata.js";

export interface ClauseChecks {
  /** Test files that declare they check it (files, not lines, so that editing a test does not stale the document). */
  readonly tests: readonly string[];
  /** Golden cases that exercise it, counted per file of the golden directory. */
  readonly golden: {
    readonly cases: number;
    readonly files: readonly { readonly file: string; readonly cases: number }[];
  };
  /** Conformance-kit checks (ids) that check it. */
  readonly kit: readonly string[];
}

export interface Coverage {
  readonly byClause: ReadonlyMap<string, ClauseChecks>;
  /** Every id cited by a test, a golden case or a kit check, with where it was cited. */
  readonly cited: readonly { readonly id: string; readonly by: string }[];
  /** The golden files read and their total number of cases. */
  readonly golden: { readonly files: readonly string[]; readonly cases: number };
}

export const NO_CHECKS: ClauseChecks = { tests: [], golden: { cases: 0, files: [] }, kit: [] };

export function isChecked(c: ClauseChecks): boolean {
  return c.tests.length > 0 || c.golden.cases > 0 || c.kit.length > 0;
}

/** Coverage of the repository at `repo` with the golden data in `goldenDir`. */
export function collectCoverage(
  repo: string,
  goldenDir: string,
  citations: readonly TestCitation[] = testCitations(repo),
): Coverage {
  const tests = new Map<string, string[]>();
  const golden = new Map<string, Map<string, number>>();
  const kit = new Map<string, string[]>();
  const cited: { id: string; by: string }[] = [];
  for (const c of citations) {
    for (const id of c.ids) {
      const list = tests.get(id) ?? [];
      if (!list.includes(c.file)) list.push(c.file);
      tests.set(id, list);
      cited.push({ id, by: `${c.file}:${c.line}` });
    }
  }
  const cases = goldenCaseClauses(goldenDir);
  for (const g of cases) {
    for (const id of g.clauses) {
      const files = golden.get(id) ?? new Map<string, number>();
      files.set(g.file, (files.get(g.file) ?? 0) + 1);
      golden.set(id, files);
      cited.push({ id, by: `golden case ${g.id}` });
    }
  }
  for (const check of [...kernelChecks(), ...trajectoryChecks()]) {
    for (const id of check.clauses) {
      const list = kit.get(id) ?? [];
      if (!list.includes(check.id)) list.push(check.id);
      kit.set(id, list);
      cited.push({ id, by: `conformance check ${check.id}` });
    }
  }
  const ids = new Set([...tests.keys(), ...golden.keys(), ...kit.keys()]);
  const byClause = new Map<string, ClauseChecks>();
  for (const id of ids) {
    const files = [...(golden.get(id) ?? new Map<string, number>())]
      .map(([file, cases]) => ({ file, cases }))
      .sort((a, b) => (a.file < b.file ? -1 : 1));
    byClause.set(id, {
      tests: (tests.get(id) ?? []).sort(),
      golden: { cases: files.reduce((s, f) => s + f.cases, 0), files },
      kit: (kit.get(id) ?? []).sort(),
    });
  }
  return { byClause, cited, golden: { files: [...new Set(cases.map((c) => c.file))].sort(), cases: cases.length } };
}
