/** Validation helpers for hook arguments (plain JSON data). */
import type { Json } from "./types.js";

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

/** A message naming the first argument that is not a number, or null. */
export function requireNumbers(args: Readonly<Record<string, Json>>, names: readonly string[], nullable: readonly string[] = []): string | null {
  for (const n of names) {
    const v = args[n];
    if (nullable.includes(n) && (v === null || v === undefined)) continue;
    if (typeof v !== "number") return `argument ${n} must be a number, got ${v === undefined ? "nothing" : JSON.stringify(v)}`;
  }
  const extra = Object.keys(args).filter((k) => !names.includes(k));
  if (extra.length > 0) return `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.join(", ")}; expected ${names.join(", ")}`;
  return null;
}
