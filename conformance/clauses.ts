/** The clause ids of the spec, read from the `@clause` tags of its source files (.ts in a clone; in the package the compiled .js and .d.ts, which together keep every doc comment). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SPEC_DIR = fileURLToPath(new URL("../spec", import.meta.url));

let cache: Map<string, string> | null = null;

/** Map of clause id → the file that states it. */
export function specClauses(): Map<string, string> {
  if (cache !== null) return cache;
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(name)) {
        for (const m of readFileSync(p, "utf8").matchAll(/@clause\s+([A-Za-z0-9_.-]+)/g)) {
          if (!out.has(m[1] as string)) out.set(m[1] as string, p.slice(SPEC_DIR.length - 4));
        }
      }
    }
  };
  walk(SPEC_DIR);
  cache = out;
  return out;
}
