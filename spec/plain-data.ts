/**
 * Keeping the spec's data out of the caller's reach: what enters is copied, what leaves is frozen.
 *
 * @clause state.no-aliasing Every NDArray and JSON value the API takes in (link data, gradients,
 * gradients from a loss's backward, hook arguments) is copied before it becomes part of a state,
 * so a later change by the caller to what it passed cannot change a state already returned. Every
 * state the API returns is frozen (its objects, records, shapes and hook data; a typed array's
 * elements cannot be frozen in JavaScript, so `data` buffers are read-only by contract: the spec
 * never writes into one it has handed out, and neither may the caller).
 */
import type { NDArray } from "./ndarray.js";
import type { Json } from "./hooks/types.js";
import { MAX_JSON_NESTING } from "./serialization/limits.js";
import { describeValue, type Problem } from "./invariants.js";

/** A copy with a fresh buffer and a frozen shape (the array object itself frozen too). */
export function ownArray(a: NDArray): NDArray {
  return Object.freeze({ dtype: a.dtype, shape: Object.freeze([...a.shape]), data: new Float64Array(a.data) });
}

/** Freeze a value and everything it reaches, skipping typed arrays and what is already frozen. */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v) || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}

class Refused {
  constructor(readonly problem: Problem) {}
}

function copy(v: unknown, at: string, depth: number): Json {
  if (depth > MAX_JSON_NESTING)
    throw new Refused({ at, expected: `data nested at most ${MAX_JSON_NESTING} deep`, got: "deeper nesting" });
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v;
  if (Array.isArray(v)) return Object.freeze(v.map((x, i) => copy(x, `${at}[${i}]`, depth + 1)));
  if (typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copy(x, `${at}.${k}`, depth + 1);
    return Object.freeze(out);
  }
  throw new Refused({
    at,
    expected: "JSON-like data (null, boolean, number, string, array, plain object)",
    got: describeValue(v),
  });
}

/**
 * A frozen deep copy of JSON-like data (null, booleans, numbers, strings, arrays, plain objects),
 * nested at most `MAX_JSON_NESTING` deep, or the problem that prevents it.
 */
export function copyJson(v: unknown, at: string): { readonly value: Json } | { readonly problem: Problem } {
  try {
    return { value: copy(v, at, 0) };
  } catch (e) {
    if (e instanceof Refused) return { problem: e.problem };
    throw e;
  }
}
