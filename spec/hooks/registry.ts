/**
 * The hook-kind registry: built-in kinds plus kinds users register (hooks with user functions are
 * saved and loaded by their registered kind name).
 */
import type { HookKind } from "./types.js";

const kinds = new Map<string, HookKind>();

/** Register a hook kind. Registering the same kind name twice with a different object is an error. */
export function registerHookKind(kind: HookKind): void {
  const existing = kinds.get(kind.kind);
  if (existing !== undefined && existing !== kind) {
    throw new TypeError(`registerHookKind: a hook kind named ${JSON.stringify(kind.kind)} is already registered`);
  }
  kinds.set(kind.kind, kind);
}

export function getHookKind(kind: string): HookKind | undefined {
  return kinds.get(kind);
}

export function hookKindNames(): string[] {
  return [...kinds.keys()];
}
