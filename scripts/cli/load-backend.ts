/**
 * `--backend <ref>`: a registered name (`js`, …) or a path to a module (anything with a `/`, `\`
 * or `.`) that exports a Backend as `default` or as `backend`. Every way this can go wrong is a
 * one-line UsageError (exit code 2), never a stack trace.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { backendShapeError, isBackend, listBackends, type AnyBackend } from "../../backends/index.js";
import { UsageError } from "./command.js";

export const isModuleRef = (ref: string): boolean => /[/\\.]/.test(ref);

export function knownBackendNames(): string[] {
  return listBackends().map((b) => b.name);
}

export function registeredBackend(name: string): AnyBackend {
  const b = listBackends().find((x) => x.name === name);
  if (b === undefined)
    throw new UsageError(
      `unknown backend ${JSON.stringify(name)}; known backends: ${knownBackendNames().join(", ")} (or give a module path such as ./my-backend.js)`,
    );
  return b;
}

/** How to import a user's module: plain `import()`, or the dev launcher's (scripts/optspec.mjs), which keeps tsx out of it. */
function importModule(url: string): Promise<unknown> {
  const viaLauncher = (globalThis as Record<symbol, unknown>)[Symbol.for("optspec.importModule")];
  return typeof viaLauncher === "function" ? (viaLauncher as (u: string) => Promise<unknown>)(url) : import(url);
}

export async function loadBackend(ref: string): Promise<AnyBackend> {
  if (!isModuleRef(ref)) return registeredBackend(ref);
  const file = resolve(ref);
  if (!existsSync(file)) throw new UsageError(`backend module ${ref} not found (looked at ${file})`);
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
    throw new UsageError(`backend module ${ref} failed to load: ${msg}`);
  }
  const b = mod["default"] ?? mod["backend"];
  if (b === undefined)
    throw new UsageError(
      `backend module ${ref} exports no backend (export it as default or as "backend"; it exports: ${Object.keys(mod).join(", ") || "nothing"})`,
    );
  if (!isBackend(b)) throw new UsageError(`backend module ${ref} is not a valid Backend: ${backendShapeError(b)}`);
  return b;
}
