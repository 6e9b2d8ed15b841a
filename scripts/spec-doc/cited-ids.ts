/**
 * Clause ids cited in source code as string literals (error classes, kit checks, hook kinds,
 * tests). A literal counts as a citation when its first segment is one the spec's clause ids use
 * (`adam.`, `hooks.`, …) and it is not a file name; every citation must name a clause or an alias.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const DIRS = ["spec", "backends", "conformance", "bench", "scripts", "test"];
const LITERAL = /["'`]([a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+)["'`]/g;
const FILE_EXT = /\.(json|ts|js|mjs|npz|npy|md|txt|wasm|svg|py|html|wat)$/;

export interface CitedLiteral {
  readonly id: string;
  readonly file: string;
  readonly line: number;
}

export function citedLiterals(repo: string, families: ReadonlySet<string>): CitedLiteral[] {
  const out: CitedLiteral[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === "node_modules" || name === "fixtures") continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|js)$/.test(name)) {
        const text = readFileSync(p, "utf8");
        for (const m of text.matchAll(LITERAL)) {
          const id = m[1] as string;
          if (!families.has(id.split(".")[0] as string) || FILE_EXT.test(id)) continue;
          out.push({
            id,
            file: relative(repo, p).split("\\").join("/"),
            line: text.slice(0, m.index).split("\n").length,
          });
        }
      }
    }
  };
  for (const d of DIRS) {
    try {
      if (statSync(join(repo, d)).isDirectory()) walk(join(repo, d));
    } catch {
      // a directory this checkout does not have
    }
  }
  return out;
}
