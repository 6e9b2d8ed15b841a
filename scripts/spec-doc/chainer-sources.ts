/**
 * Where each clause's rule lives in the code it models: Chainer 7.8.1 (file, function, line), the
 * library Chainer calls (numpy, glibc, CPython, reference BLAS), or nowhere (an optspec API rule,
 * with why). Facts are kept in `spec/clauses/chainer-sources.json`, keyed by clause id or by an id
 * prefix ending in `*`; the most specific key wins.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./lists.js";

export const SOURCES_FILE = "spec/clauses/chainer-sources.json";

export type SourceFact =
  | { readonly file: string; readonly function: string; readonly line: number }
  | { readonly library: string; readonly file: string; readonly function: string }
  | { readonly none: string };

export interface SourceTable {
  readonly chainer: { readonly repo: string; readonly tag: string; readonly url: string };
  readonly sources: Readonly<Record<string, SourceFact>>;
}

export function readSources(): SourceTable {
  return JSON.parse(readFileSync(join(REPO, SOURCES_FILE), "utf8")) as SourceTable;
}

/** The fact for a clause id: its own key, else the longest matching `prefix*` key. */
export function sourceOf(id: string, table: SourceTable): { readonly key: string; readonly fact: SourceFact } | null {
  const exact = table.sources[id];
  if (exact !== undefined) return { key: id, fact: exact };
  let best: string | null = null;
  for (const key of Object.keys(table.sources)) {
    if (key.endsWith("*") && id.startsWith(key.slice(0, -1)) && (best === null || key.length > best.length)) best = key;
  }
  return best === null ? null : { key: best, fact: table.sources[best] as SourceFact };
}

/** A Markdown rendering of a fact: a link into Chainer's source at the tag, or the library, or why none. */
export function sourceMarkdown(fact: SourceFact, table: SourceTable): string {
  if ("none" in fact) return `none in Chainer (${fact.none})`;
  if ("library" in fact) return `${fact.library}: \`${fact.file}\`, ${fact.function}`;
  return `[\`${fact.file}:${fact.line}\`](${table.chainer.url}${fact.file}#L${fact.line}) \`${fact.function}\``;
}

/** A plain-text rendering for the command line. */
export function sourceText(fact: SourceFact, table: SourceTable): string {
  if ("none" in fact) return `none in Chainer (${fact.none})`;
  if ("library" in fact) return `${fact.library} ${fact.file} (${fact.function})`;
  return `${table.chainer.repo}@${table.chainer.tag} ${fact.file}:${fact.line} ${fact.function}`;
}
