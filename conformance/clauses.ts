/**
 * The clauses of the spec, read from the `@clause` tags in the doc comments of its source files.
 *
 * A tag followed by text on its line (or on the lines below it, up to the next tag or the end of the
 * comment) states the clause; a bare tag (`/** @clause id *\/`) marks code that implements a clause
 * stated elsewhere. The first tag with text is the definition; later tags with text add notes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SPEC_DIR = join(ROOT, "spec");

/** A place in the repository, `file` relative to its root with forward slashes. */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
}

export interface ClauseDef {
  readonly id: string;
  /** The text of the defining tag (empty if only bare tags exist). */
  readonly text: string;
  /** Where it is defined: the first tag with text, else the first tag. */
  readonly at: SourceLine;
  /** Further texts stated at other tags, with their places. */
  readonly notes: readonly (SourceLine & { readonly text: string })[];
  /** Every tag naming this id (the definition included), in file order. */
  readonly refs: readonly SourceLine[];
}

/** One spec source file: its path (relative, forward slashes) and its text. */
export interface SpecSource {
  readonly file: string;
  readonly text: string;
}

interface Tag extends SourceLine {
  readonly id: string;
  readonly text: string;
}

const ID = "[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)+";
const TAG = new RegExp(`@clause\\s+(${ID})`, "g");

/** Lines of a doc comment body without the leading `*`. */
function commentLine(raw: string): string {
  return raw
    .replace(/^\s*\/\*\*?/, "")
    .replace(/\*\/\s*$/, "")
    .replace(/^\s*\*(?!\/) ?/, "");
}

/**
 * A clause's text from its comment lines: one paragraph, except that an indented line (a formula
 * set on its own line in the source) keeps its own line.
 */
function joinParts(parts: readonly string[]): string {
  let out = "";
  for (const p of parts) {
    const t = p.trim();
    if (t === "") continue;
    out += out === "" ? t : /^\s{2,}/.test(p) ? `\n${t}` : ` ${t}`;
  }
  return out.replace(/[ \t]+/g, " ");
}

/** The `@clause` tags of one file with their texts. */
export function tagsOf(src: SpecSource): Tag[] {
  const lines = src.text.split("\n");
  const tags: Tag[] = [];
  let inDoc = false;
  // The tag being read; an object so that `close` and the loop share it without narrowing trouble.
  const cur: { open: { id: string; line: number; parts: string[] } | null } = { open: null };
  const close = () => {
    const o = cur.open;
    if (o) tags.push({ id: o.id, file: src.file, line: o.line, text: joinParts(o.parts) });
    cur.open = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const starts = !inDoc && /^\s*\/\*\*/.test(raw);
    if (!inDoc && !starts) continue;
    inDoc = true;
    const ends = raw.includes("*/");
    const body = commentLine(raw);
    const matches = [...body.matchAll(TAG)];
    if (matches.length === 0) {
      if (cur.open && /^\s*@\w/.test(body)) close();
      else cur.open?.parts.push(body);
    }
    for (let k = 0; k < matches.length; k++) {
      close();
      const m = matches[k] as RegExpMatchArray;
      const after = body.slice((m.index ?? 0) + m[0].length, matches[k + 1]?.index ?? body.length);
      cur.open = { id: m[1] as string, line: i + 1, parts: [after] };
    }
    if (ends) {
      close();
      inDoc = false;
    }
  }
  close();
  return tags;
}

/** The header paragraph of a file: its first doc comment's text before any tag. */
export function headerOf(src: SpecSource): string {
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(src.text);
  if (!m) return "";
  const out: string[] = [];
  for (const raw of (m[1] as string).split("\n")) {
    const body = commentLine(raw);
    if (/^\s*@\w/.test(body)) break;
    out.push(body);
  }
  return out.join("\n").trim();
}

/** Clause definitions from spec sources given in order. */
export function parseClauses(sources: readonly SpecSource[]): Map<string, ClauseDef> {
  const byId = new Map<string, Tag[]>();
  for (const src of sources) for (const t of tagsOf(src)) byId.set(t.id, [...(byId.get(t.id) ?? []), t]);
  const out = new Map<string, ClauseDef>();
  for (const [id, tags] of byId) {
    const texts = tags.filter((t) => t.text !== "");
    const def = texts[0] ?? (tags[0] as Tag);
    out.set(id, {
      id,
      text: def.text,
      at: { file: def.file, line: def.line },
      notes: texts.slice(1).map((t) => ({ file: t.file, line: t.line, text: t.text })),
      refs: tags.map((t) => ({ file: t.file, line: t.line })),
    });
  }
  return out;
}

/** The spec's source files (`spec/**\/*.ts`, not declarations), sorted by path; none in the compiled package. */
export function specSources(): SpecSource[] {
  const out: SpecSource[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts"))
        out.push({ file: relative(ROOT, p).split("\\").join("/"), text: readFileSync(p, "utf8") });
    }
  };
  walk(SPEC_DIR);
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

let cache: Map<string, ClauseDef> | null = null;

/**
 * The clauses from the generated registry (`spec/clauses/index.json`). The installed package has
 * compiled JavaScript, not the spec's TypeScript sources (whose doc comments are the clauses), so
 * it reads the registry that the build copies next to the compiled spec.
 */
function registryClauseDefs(): Map<string, ClauseDef> {
  const doc = JSON.parse(readFileSync(join(SPEC_DIR, "clauses", "index.json"), "utf8")) as {
    clauses: readonly (ClauseDef & SourceLine)[];
  };
  return new Map(
    doc.clauses.map((c) => [
      c.id,
      { id: c.id, text: c.text, at: { file: c.file, line: c.line }, notes: c.notes, refs: c.refs },
    ]),
  );
}

/** Every clause of the spec, by id: parsed from the sources in a clone, from the registry in the package. */
export function specClauseDefs(): Map<string, ClauseDef> {
  if (cache === null) {
    const sources = specSources();
    cache = sources.length > 0 ? parseClauses(sources) : registryClauseDefs();
  }
  return cache;
}

/** Map of clause id → the file that states it. */
export function specClauses(): Map<string, string> {
  return new Map([...specClauseDefs()].map(([id, d]) => [id, d.at.file]));
}
