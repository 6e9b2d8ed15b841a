/**
 * Check that a value from a third-party module has the shape of a `Backend` (contract.ts) before
 * the kit calls into it, so a mistake is one clear line naming the member instead of a TypeError
 * deep inside a check. Only the shape is checked here; the behaviour is what the kit checks.
 */
import { DTYPES } from "../spec/index.js";
import type { AnyBackend } from "./contract.js";

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null;
const kindOf = (x: unknown): string =>
  x === null ? "null" : Array.isArray(x) ? "an array" : typeof x === "object" ? "an object" : typeof x;

function fns(where: string, o: unknown, names: readonly string[]): string | null {
  if (!isObj(o))
    return `member "${where}" must be an object with ${names.join(", ")}, got ${o === undefined ? "nothing" : kindOf(o)}`;
  for (const n of names) {
    if (!(n in o)) return `member "${where}.${n}" is missing (a function)`;
    if (typeof o[n] !== "function") return `member "${where}.${n}" must be a function, got ${kindOf(o[n])}`;
  }
  return null;
}

/** The first way `x` fails to be a Backend, as one line naming the member, or null when it fits. */
export function backendShapeError(x: unknown): string | null {
  if (!isObj(x)) return `the backend must be an object, got ${kindOf(x)}`;
  for (const k of ["name", "description"]) {
    if (!(k in x)) return `member "${k}" is missing (a string)`;
    if (typeof x[k] !== "string") return `member "${k}" must be a string, got ${kindOf(x[k])}`;
  }
  if (!Array.isArray(x["dtypes"]))
    return `member "dtypes" must be an array of ${DTYPES.join(", ")}, got ${"dtypes" in x ? kindOf(x["dtypes"]) : "nothing"}`;
  for (const d of x["dtypes"] as unknown[])
    if (!(DTYPES as readonly unknown[]).includes(d))
      return `member "dtypes" lists ${JSON.stringify(d)}, not one of ${DTYPES.join(", ")}`;
  const p = x["promise"];
  if (!isObj(p) || (p["kind"] !== "exact" && p["kind"] !== "bounded"))
    return `member "promise" must be {kind: "exact"} or {kind: "bounded", bounds}, got ${isObj(p) ? JSON.stringify(p["kind"]) : kindOf(p)}`;
  if (p["kind"] === "bounded" && !isObj(p["bounds"]))
    return `member "promise.bounds" must be an object of {ulp, derivation} per kernel`;
  if (x["mode"] !== "sync" && x["mode"] !== "async")
    return `member "mode" must be "sync" or "async", got ${JSON.stringify(x["mode"]) ?? "nothing"}`;
  const mem = fns("memory", x["memory"], ["alloc", "write", "read"]);
  if (mem !== null) return mem;
  for (const [k, method] of [
    ["optimizers", "update"],
    ["hooks", "apply"],
  ] as const) {
    const table = x[k];
    if (!isObj(table))
      return `member "${k}" must be an object of kernels by name, got ${k in x ? kindOf(table) : "nothing"}`;
    for (const [name, kernel] of Object.entries(table)) {
      const e = fns(`${k}.${name}`, kernel, [method]);
      if (e !== null) return e;
    }
  }
  const red = fns("reductions", x["reductions"], ["sumSquares", "allFinite", "scale"]);
  if (red !== null) return red;
  if ("available" in x && x["available"] !== undefined && typeof x["available"] !== "function")
    return `member "available" must be a function when present, got ${kindOf(x["available"])}`;
  return null;
}

/** Narrow after checking the shape. */
export function isBackend(x: unknown): x is AnyBackend {
  return backendShapeError(x) === null;
}
