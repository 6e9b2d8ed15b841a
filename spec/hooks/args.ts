/** Validation helpers for hook arguments (plain JSON data), driven by a kind's `HookArg` schema. */
import type { HookArg, Json } from "./types.js";

export function numberArg(args: Readonly<Record<string, Json>>, name: string): number {
  const v = args[name];
  if (typeof v !== "number") throw new TypeError(`hook argument ${name} must be a number`);
  return v;
}

export function optionalNumberArg(args: Readonly<Record<string, Json>>, name: string): number | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number") throw new TypeError(`hook argument ${name} must be a number or null`);
  return v;
}

function typeError(a: HookArg, v: Json | undefined): string | null {
  if (a.type === "number" && typeof v !== "number") {
    return `argument ${a.name} must be a number${a.optional ? " or null" : ""}, got ${v === undefined ? "nothing" : JSON.stringify(v)}`;
  }
  if (a.type === "object" && (typeof v !== "object" || v === null || Array.isArray(v))) {
    return `argument ${a.name} must be an object, got ${JSON.stringify(v ?? null)}`;
  }
  return null;
}

/** A message naming the first argument that does not fit the schema, or an unexpected one; null when all fit. */
export function checkArgs(schema: readonly HookArg[], args: Readonly<Record<string, Json>>): string | null {
  for (const a of schema) {
    const v = args[a.name];
    if (a.optional && (v === null || v === undefined)) continue;
    const err = typeError(a, v) ?? a.check?.(v as Json) ?? null;
    if (err !== null) return err;
  }
  const names = schema.map((a) => a.name);
  const extra = Object.keys(args).filter((k) => !names.includes(k));
  if (extra.length > 0)
    return `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.join(", ")}; expected ${names.join(", ")}`;
  return null;
}
