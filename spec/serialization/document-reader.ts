/**
 * Reading a JSON document defensively: bounded parsing, and typed accessors that refuse with
 * `SnapshotFormatError` naming the place in the document. The lossless decoder is built on these.
 */
import type { Json } from "../hooks/types.js";
import type { HyperValue } from "../hyperparam.js";
import { type Dtype, isDtype } from "../numerics/dtype.js";
import { counterProblem, describeValue } from "../invariants.js";
import { SnapshotFormatError } from "./load-errors.js";
import { hexF64 } from "./lossless-format.js";
import { DEFAULT_MAX_DECODE_BYTES, MAX_JSON_NESTING } from "./limits.js";

/** How deep tagged hook data and link structures may nest inside a document. */
export const MAX_JSON_DEPTH = 64;

/** Refuse, naming the place (cut to 200 characters: keys come from the document) and what was expected. */
export function fail(at: string, expected: string, got: unknown): never {
  throw new SnapshotFormatError(at.length > 200 ? `${at.slice(0, 200)}…` : at, expected, describeValue(got));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An object with exactly the `required` keys, plus any of the `optional` ones. */
export function obj(
  v: unknown,
  at: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (!isPlainObject(v)) return fail(at, `an object with keys ${required.join(", ")}`, v);
  for (const k of required)
    if (!Object.prototype.hasOwnProperty.call(v, k))
      fail(`${at}.${k}`, `a value (key ${JSON.stringify(k)} is required)`, undefined);
  for (const k of Object.keys(v)) {
    if (!required.includes(k) && !optional.includes(k))
      fail(`${at}.${k}`, `no such key (allowed: ${[...required, ...optional].join(", ")})`, v[k]);
  }
  return v;
}

export function str(v: unknown, at: string): string {
  return typeof v === "string" ? v : fail(at, "a string", v);
}

export function bool(v: unknown, at: string): boolean {
  return typeof v === "boolean" ? v : fail(at, "true or false", v);
}

export function arr(v: unknown, at: string): unknown[] {
  return Array.isArray(v) ? v : fail(at, "an array", v);
}

export function decNum(v: unknown, at: string): number {
  if (typeof v === "number")
    return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : fail(at, 'a safe integer or {"f": "<16 hex digits>"}', v);
  if (isPlainObject(v) && Object.keys(v).length === 1 && typeof v["f"] === "string" && /^[0-9a-f]{16}$/.test(v["f"]))
    return hexF64(v["f"]);
  return fail(at, 'a number: a safe integer or {"f": "<16 lowercase hex digits>"}', v);
}

/** @clause invariants.counters */
export function decCounter(v: unknown, at: string): number {
  const bad = counterProblem(v, at);
  return bad === null ? (v as number) : fail(at, bad.expected, v);
}

export function nullableDecNum(v: unknown, at: string): number | null {
  return v === null ? null : decNum(v, at);
}

export function shapeOf(v: unknown, at: string): number[] {
  const a = arr(v, at);
  return a.map((d, i) =>
    typeof d === "number" && Number.isSafeInteger(d) && d >= 0
      ? d
      : fail(`${at}[${i}]`, "a non-negative integer dimension", d),
  );
}

export function dtypeOf(v: unknown, at: string): Dtype {
  return isDtype(v) ? v : fail(at, "a float dtype: float16, float32 or float64", v);
}

/** Pairs `[key, value]` with distinct string keys. */
export function pairs(v: unknown, at: string): [string, unknown][] {
  const seen = new Set<string>();
  return arr(v, at).map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string")
      return fail(`${at}[${i}]`, "a pair [key, value]", p);
    if (seen.has(p[0])) fail(`${at}[${i}]`, "distinct keys", `the key ${JSON.stringify(p[0])} a second time`);
    seen.add(p[0]);
    return [p[0], p[1]] as [string, unknown];
  });
}

export function decJson(v: unknown, at: string, depth = 0): Json {
  if (depth > MAX_JSON_DEPTH) fail(at, `data nested at most ${MAX_JSON_DEPTH} deep`, "deeper nesting");
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (isPlainObject(v) && Object.keys(v).length === 1) {
    if ("f" in v) return decNum(v, at);
    if ("a" in v) return arr(v["a"], `${at}.a`).map((x, i) => decJson(x, `${at}.a[${i}]`, depth + 1));
    if ("o" in v) {
      const out: Record<string, Json> = {};
      for (const [k, x] of pairs(v["o"], `${at}.o`)) out[k] = decJson(x, `${at}.o.${k}`, depth + 1);
      return out;
    }
  }
  if (typeof v === "number") return decNum(v, at);
  return fail(
    at,
    'tagged JSON data: null, a boolean, a string, a number, {"a": [...]} or {"o": [[key, value], ...]}',
    v,
  );
}

export function decJsonObject(v: unknown, at: string): Record<string, Json> {
  const j = decJson(v, at);
  if (!isPlainObject(j)) return fail(at, 'an object {"o": [[key, value], ...]}', v);
  return j as Record<string, Json>;
}

export function decHyper(v: unknown, at: string): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const [k, x] of pairs(v, at)) out[k] = x === null || typeof x === "boolean" ? x : decNum(x, `${at}.${k}`);
  return out;
}

/**
 * The deepest nesting of `text` (arrays and objects, strings skipped), stopping as soon as it
 * passes `limit`; linear and without recursion.
 */
function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parse JSON text within the limits of `serialization.limits.budget` and `serialization.limits.depth`.
 * @clause serialization.limits.depth
 */
export function parseJson(text: string, at: string, maxBytes = DEFAULT_MAX_DECODE_BYTES): unknown {
  if (text.length > maxBytes)
    fail(at, `JSON text of at most ${maxBytes} characters (maxBytes)`, `${text.length} characters`);
  if (nestingExceeds(text, MAX_JSON_NESTING))
    fail(at, `JSON nested at most ${MAX_JSON_NESTING} deep`, "deeper nesting");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return fail(at, "well-formed JSON text", `a parse error (${msg.length > 200 ? `${msg.slice(0, 200)}…` : msg})`);
  }
}
