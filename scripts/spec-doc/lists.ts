/**
 * The committed clause lists in `spec/clauses/`: every id the spec has ever had (`ids.json`, ids
 * never disappear; a renamed clause keeps its old id as an alias) and the clauses no check reaches
 * (`unchecked.json`, id → written reason; it may only shrink).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const IDS_FILE = "spec/clauses/ids.json";
export const UNCHECKED_FILE = "spec/clauses/unchecked.json";

export interface IdList {
  readonly ids: readonly string[];
  /** old id → the id it was renamed to. */
  readonly aliases: Readonly<Record<string, string>>;
}

export function readIdList(): IdList {
  return JSON.parse(readFileSync(join(REPO, IDS_FILE), "utf8")) as IdList;
}

/** id → why no check can reach it. */
export function readUnchecked(): Readonly<Record<string, string>> {
  return JSON.parse(readFileSync(join(REPO, UNCHECKED_FILE), "utf8")) as Record<string, string>;
}

/** The current id a cited id stands for (itself, or the target of its alias), or null if unknown. */
export function resolveId(id: string, current: ReadonlySet<string>, list: IdList): string | null {
  if (current.has(id)) return id;
  const to = list.aliases[id];
  return to !== undefined && current.has(to) ? to : null;
}

/** What is wrong with the id list, as messages that say what to do. */
export function idListProblems(current: ReadonlySet<string>, list: IdList): string[] {
  const out: string[] = [];
  const listed = new Set(list.ids);
  for (const id of [...current].sort()) {
    if (!listed.has(id))
      out.push(`new clause ${id}: add "${id}" to "ids" in ${IDS_FILE} (or run \`npm run spec:doc -- --accept-new\`)`);
  }
  for (const id of list.ids) {
    if (current.has(id)) continue;
    const to = list.aliases[id];
    if (to === undefined)
      out.push(
        `clause ${id} disappeared: clause ids never disappear; restore its @clause tag, or if it was renamed add "${id}": "<new id>" to "aliases" in ${IDS_FILE}`,
      );
    else if (!current.has(to)) out.push(`alias ${id} → ${to} in ${IDS_FILE} points to no current clause`);
  }
  for (const [from, to] of Object.entries(list.aliases)) {
    if (current.has(from))
      out.push(`alias ${from} in ${IDS_FILE} is also a current clause id; an alias names a retired id`);
    if (!listed.has(from)) out.push(`alias ${from} → ${to} is missing from "ids" in ${IDS_FILE}`);
  }
  return out;
}

/** What is wrong with the unchecked list, given the clauses nothing checks. */
export function uncheckedProblems(
  current: ReadonlySet<string>,
  uncheckedNow: ReadonlySet<string>,
  listed: Readonly<Record<string, string>>,
): string[] {
  const out: string[] = [];
  for (const id of [...uncheckedNow].sort()) {
    if (listed[id] === undefined) {
      out.push(
        `clause ${id} is checked by nothing: cite it from the test that checks it (\`clauses("${id}")\` from test/helpers/clauses.ts), from a kit check's \`clauses\`, or from the golden case list (conformance/golden/case-clauses.ts). ${UNCHECKED_FILE} may only shrink`,
      );
    }
  }
  for (const [id, reason] of Object.entries(listed)) {
    if (!current.has(id)) out.push(`${UNCHECKED_FILE} names ${id}, which is not a clause`);
    else if (!uncheckedNow.has(id))
      out.push(`clause ${id} is checked now: remove it from ${UNCHECKED_FILE} (the list only shrinks)`);
    if (reason.trim().length < 20)
      out.push(`${UNCHECKED_FILE}: ${id} needs a written reason why no check can reach it`);
  }
  return out;
}
