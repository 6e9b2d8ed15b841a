/**
 * The hook-kind registry: built-in kinds plus kinds users register (hooks with user functions are
 * saved and loaded by their registered kind name).
 */
import type { HookKind } from "./types.js";
import { namedRegistry } from "../named-registry.js";

const kinds = namedRegistry<HookKind>("hook kind", (k) => k.kind);

/** Register a hook kind. Registering the same kind name twice with a different object is an error. */
export const registerHookKind = (kind: HookKind): void => kinds.register(kind);
export const getHookKind = (kind: string): HookKind | undefined => kinds.get(kind);
export const hookKindNames = (): string[] => kinds.names();
