/**
 * The backends to benchmark: every backend in the registry (importing `backends/index.ts` registers
 * the built-in ones), falling back to importing the JS backend directly when the registry cannot be
 * loaded. Backends whose `available()` says no are listed as skipped, with the reason.
 */
import type { AnyBackend } from "../backends/contract.js";

export interface LoadedBackends {
  readonly backends: readonly AnyBackend[];
  readonly listing: { name: string; source: string; skipped?: string; device?: string }[];
  readonly problems: readonly string[];
}

interface RegistryModule {
  listBackends(): AnyBackend[];
}
interface JsModule {
  jsBackend: AnyBackend;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function discover(): Promise<{ found: AnyBackend[]; source: string; problems: string[] }> {
  const problems: string[] = [];
  try {
    const reg = (await import("../backends/index.js")) as unknown as RegistryModule;
    return { found: reg.listBackends(), source: "registry", problems };
  } catch (e) {
    problems.push(`backend registry did not load: ${message(e)}`);
  }
  try {
    const js = (await import("../backends/js/index.js")) as unknown as JsModule;
    return { found: [js.jsBackend], source: "direct import", problems };
  } catch (e) {
    problems.push(`JS backend did not load: ${message(e)}`);
  }
  return { found: [], source: "none", problems };
}

export async function loadBackends(only: readonly string[] | null): Promise<LoadedBackends> {
  const { found, source, problems } = await discover();
  const backends: AnyBackend[] = [];
  const listing: LoadedBackends["listing"] = [];
  for (const b of found) {
    if (only !== null && !only.includes(b.name)) {
      listing.push({ name: b.name, source, skipped: "not selected (--backends)" });
      continue;
    }
    const avail = b.available ? await b.available() : { ok: true };
    if (!avail.ok) {
      listing.push({ name: b.name, source, skipped: `unavailable: ${avail.reason ?? "no reason given"}` });
      continue;
    }
    backends.push(b);
    listing.push({ name: b.name, source, ...(avail.device !== undefined ? { device: avail.device } : {}) });
  }
  return { backends, listing, problems };
}
