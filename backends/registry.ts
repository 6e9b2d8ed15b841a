/**
 * The backend registry: backends are found by name. Built-in backends register themselves when
 * `backends/index.ts` is imported; third-party backends call `registerBackend`.
 */
import type { AnyBackend } from "./contract.js";
import { namedRegistry } from "../spec/named-registry.js";

const backends = namedRegistry<AnyBackend>("backend", (b) => b.name);

export const registerBackend = (backend: AnyBackend): void => backends.register(backend);

export function getBackend(name: string): AnyBackend {
  const b = backends.get(name);
  if (b === undefined) {
    throw new TypeError(
      `no backend named ${JSON.stringify(name)}; registered: ${backends.names().join(", ") || "none"}`,
    );
  }
  return b;
}

export const listBackends = (): AnyBackend[] => backends.values();
