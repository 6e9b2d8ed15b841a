/**
 * Where the real-Chainer golden data that ships with optspec lives: `golden/` at the package root.
 * Found by walking up from this module, so it resolves the same from the TypeScript sources
 * (`conformance/golden/`) and from the compiled package (`dist/conformance/golden/`).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function find(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "golden", "index.json"))) return join(dir, "golden");
    dir = dirname(dir);
  }
  // Not found: return the expected place, so the message that reports it missing names it.
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "golden");
}

let found: string | undefined;

/** Absolute path of the bundled golden directory (looked up on first use: never in a browser bundle). */
export function bundledGoldenDir(): string {
  return (found ??= find());
}
