/**
 * A golden directory as data: its files' texts by path relative to the directory. The replay works
 * on this, so the same code replays a folder read from disk (Node) or files fetched over HTTP (the
 * browser page), and any directory of the format, with files and case ids it has not seen.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface GoldenSource {
  /** Where the files came from (a directory path or a URL), for messages. */
  readonly label: string;
  /** JSON texts by relative path with "/" separators, `index.json` included when present. */
  readonly files: ReadonlyMap<string, string>;
}

/** The golden case files of a source, sorted, without `index.json`. */
export function caseFiles(src: GoldenSource): string[] {
  return [...src.files.keys()].filter((p) => p.endsWith(".json") && p !== "index.json").sort();
}

/** Read every `.json` file under a directory (Node only). */
export function readGoldenDir(dir: string): GoldenSource {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return { label: dir, files };
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".json")) files.set(relative(dir, p).split("\\").join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return { label: dir, files };
}
