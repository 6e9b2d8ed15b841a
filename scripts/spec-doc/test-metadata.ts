/**
 * The clauses each test file declares with `clauses(...)` (test/helpers/clauses.ts). Arguments must
 * be string literals: the declaration is data the generator reads without running the suite.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface TestCitation {
  readonly file: string;
  readonly line: number;
  readonly ids: readonly string[];
}

export class TestMetadataError extends Error {}

const CALL = /(?<![\w.])clauses\(([^)]*)\)/g;
const LITERAL = /^\s*(?:"([^"\\]*)"|'([^'\\]*)'|`([^`$\\]*)`)\s*$/;

/** The citations in one test file's text. */
export function citationsIn(file: string, text: string): TestCitation[] {
  if (!/from\s+["'][./]*(?:helpers\/)?clauses\.js["']/.test(text)) return [];
  const out: TestCitation[] = [];
  for (const m of text.matchAll(CALL)) {
    const line = text.slice(0, m.index).split("\n").length;
    const inner = (m[1] as string).trim();
    // `clauses(...)` or `clauses()` in prose is no declaration.
    if (inner === "" || inner.startsWith(".")) continue;
    const args = inner.split(",").filter((a) => a.trim() !== "");
    const ids = args.map((a) => {
      const lit = LITERAL.exec(a);
      if (!lit)
        throw new TestMetadataError(`${file}:${line}: clauses(...) takes string literals only, got ${a.trim()}`);
      return (lit[1] ?? lit[2] ?? lit[3]) as string;
    });
    if (ids.length > 0) out.push({ file, line, ids });
  }
  return out;
}

/** Every citation in `test/**\/*.test.ts` under the repository root. */
export function testCitations(repo: string): TestCitation[] {
  const out: TestCitation[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".test.ts"))
        out.push(...citationsIn(relative(repo, p).split("\\").join("/"), readFileSync(p, "utf8")));
    }
  };
  walk(join(repo, "test"));
  return out;
}
