/**
 * The backend registry: backends are found by name. Built-in backends register themselves when
 * `backends/index.ts` is imported; third-party backends call `registerBackend`.
 */
import type { AnyBackend } from "./contract.js";

const backends = new Map<string, AnyBackend>();

export function registerBackend(backend: AnyBackend): void {
  const existing = backends.get(backend.name);
  if (existing !== undefined && existing !== backend) {
    throw new TypeError(`registerBackend: a backend named ${JSON.stringify(backend.name)} is already registered`);
  }
  backends.set(backend.name, backend);
}

export function getBackend(name: string): AnyBackend {
  const b = backends.get(name);
  if (b === undefined) {
    throw new TypeError(`no backend named ${JSON.stringify(name)}; registered: ${[...backends.keys()].join(", ") || "none"}`);
  }
  return b;
}

export function listBackends(): AnyBackend[] {
  return [...backends.values()];
}
