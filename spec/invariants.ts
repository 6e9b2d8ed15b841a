/**
 * The invariants of the spec's plain data, in one place: what the public API enforces on its way
 * in, and what a loaded lossless snapshot must satisfy. Each check returns a `Problem` (where, what
 * was expected, what was found) or null, so that each caller raises its own named error.
 *
 * @clause invariants.array An `NDArray` is an object with a float `dtype`, a `shape` of
 * non-negative safe integers, and `data`, a `Float64Array` with exactly as many elements as the
 * shape has, each exactly representable in the dtype (NaN allowed).
 * @clause invariants.counters `t`, `epoch` and every rule's `t` are non-negative safe integers.
 * @clause invariants.loss-scale The loss scale is null or a number > 0 (`loss-scale.static.positive`);
 * the dynamic interval is null or a number ≥ 1 (`loss-scale.dynamic.interval`); the multiplier is
 * null or a number > 0; the flags are booleans.
 * @clause invariants.hook-args A hook's arguments are accepted by its registered kind's `validate`.
 */
import { type Dtype, isDtype, roundTo } from "./numerics/dtype.js";
import type { LossScaleState } from "./state.js";
import type { Json } from "./hooks/types.js";
import { getHookKind } from "./hooks/registry.js";

export interface Problem {
  /** Where: a path such as `$.rules[/W].t`, or an argument name. */
  readonly at: string;
  readonly expected: string;
  readonly got: string;
  /** The clause the problem breaks, when it is one of this file's. */
  readonly clause?: string;
}

const EXCERPT = 40;

/**
 * A short description of any value, never longer than a few dozen characters and never recursing
 * (a message about a hostile value must not be able to blow the stack or the heap).
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Float64Array) return `a Float64Array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === "object") {
    const keys = Object.keys(v);
    const shown = keys.slice(0, 6).map((k) => JSON.stringify(k.length > EXCERPT ? `${k.slice(0, EXCERPT)}…` : k));
    return `an object with keys ${shown.join(", ") || "(none)"}${keys.length > 6 ? `, … (${keys.length} keys)` : ""}`;
  }
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > EXCERPT ? `${v.slice(0, EXCERPT)}…` : v)}`;
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  return `${typeof v} ${String(v as number | bigint | boolean)}`;
}

function problem(at: string, expected: string, got: unknown): Problem {
  return { at, expected, got: describeValue(got) };
}

/** Elements of a shape, or -1 when a dimension is not a non-negative safe integer or the count is not safe. */
function elementCount(shape: readonly unknown[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) return -1;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

/** @clause invariants.array */
export function arrayProblem(
  a: unknown,
  at: string,
  want?: { readonly dtype?: Dtype; readonly shape?: readonly number[] | null },
): Problem | null {
  if (typeof a !== "object" || a === null || Array.isArray(a)) return problem(at, "an NDArray {dtype, shape, data}", a);
  const o = a as { dtype?: unknown; shape?: unknown; data?: unknown };
  if (!isDtype(o.dtype)) return problem(`${at}.dtype`, "float16, float32 or float64", o.dtype);
  if (!Array.isArray(o.shape)) return problem(`${at}.shape`, "an array of dimensions", o.shape);
  const n = elementCount(o.shape);
  if (n < 0)
    return problem(
      `${at}.shape`,
      "non-negative safe integer dimensions",
      `[${o.shape
        .slice(0, 8)
        .map((d) => describeValue(d))
        .join(", ")}]`,
    );
  if (!(o.data instanceof Float64Array)) return problem(`${at}.data`, "a Float64Array", o.data);
  if (o.data.length !== n)
    return {
      at: `${at}.data`,
      expected: `${n} elements (shape [${o.shape.join(", ")}])`,
      got: `${o.data.length} elements`,
    };
  const dtype = o.dtype;
  if (dtype !== "float64") {
    const data = o.data;
    for (let i = 0; i < data.length; i++) {
      const x = data[i] as number;
      if (x === x && roundTo(dtype, x) !== x)
        return { at: `${at}.data[${i}]`, expected: `a ${dtype} value`, got: `${x}, which ${dtype} cannot represent` };
    }
  }
  if (want?.dtype !== undefined && dtype !== want.dtype) return { at: `${at}.dtype`, expected: want.dtype, got: dtype };
  if (want?.shape !== undefined && want.shape !== null) {
    const s = o.shape as number[];
    if (s.length !== want.shape.length || s.some((d, i) => d !== want.shape?.[i])) {
      return { at: `${at}.shape`, expected: `[${want.shape.join(", ")}]`, got: `[${s.join(", ")}]` };
    }
  }
  return null;
}

/** @clause invariants.counters */
export function counterProblem(v: unknown, at: string): Problem | null {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0)
    ? null
    : { ...problem(at, "a non-negative integer counter", v), clause: "invariants.counters" };
}

/** @clause invariants.loss-scale */
export function lossScaleProblem(ls: LossScaleState, at: string): Problem | null {
  const bad = lossScaleFieldProblem(ls, at);
  return bad === null ? null : { ...bad, clause: "invariants.loss-scale" };
}

function lossScaleFieldProblem(ls: LossScaleState, at: string): Problem | null {
  const numOrNull = (v: unknown, ok: (x: number) => boolean, field: string, expected: string): Problem | null =>
    v === null || (typeof v === "number" && ok(v)) ? null : problem(`${at}.${field}`, expected, v);
  for (const flag of ["dynamic", "isnanEver", "isnan"] as const) {
    if (typeof ls[flag] !== "boolean") return problem(`${at}.${flag}`, "true or false", ls[flag]);
  }
  return (
    numOrNull(ls.scale, (x) => x > 0, "scale", "null or a loss scale > 0") ??
    numOrNull(ls.interval, (x) => x >= 1, "interval", "null or an interval >= 1") ??
    numOrNull(ls.multiplier, (x) => x > 0, "multiplier", "null or a multiplier > 0")
  );
}

/** @clause invariants.hook-args */
export function hookArgsProblem(kind: string, args: Readonly<Record<string, Json>>, at: string): Problem | null {
  const k = getHookKind(kind);
  if (k === undefined) return problem(at, "a registered hook kind", kind);
  const bad = k.validate(args);
  return bad === null ? null : { at, expected: `arguments ${kind} accepts`, got: bad };
}

/** "at X: expected Y, got Z", for messages. */
export function formatProblem(p: Problem): string {
  return `at ${p.at}: expected ${p.expected}, got ${p.got}`;
}

const MAX_LINK_DEPTH = 64;

/**
 * @clause invariants.link A link structure is `{kind: "link"|"chain"|"chainlist", params, children}`
 * with params `{name, dtype, shape: null|dimensions}` and children `{name, link}`, nested at most 64
 * deep; names obey `validateStructure`.
 */
export function structureProblem(s: unknown, at: string, depth = 0): Problem | null {
  if (depth > MAX_LINK_DEPTH)
    return { at, expected: `links nested at most ${MAX_LINK_DEPTH} deep`, got: "deeper nesting" };
  if (typeof s !== "object" || s === null) return problem(at, "a link structure {kind, params, children}", s);
  const o = s as { kind?: unknown; params?: unknown; children?: unknown };
  if (o.kind !== "link" && o.kind !== "chain" && o.kind !== "chainlist")
    return problem(`${at}.kind`, '"link", "chain" or "chainlist"', o.kind);
  if (!Array.isArray(o.params)) return problem(`${at}.params`, "an array of parameter declarations", o.params);
  for (const [i, p] of o.params.entries()) {
    const w = `${at}.params[${i}]`;
    if (typeof p !== "object" || p === null) return problem(w, "a declaration {name, dtype, shape}", p);
    const d = p as { name?: unknown; dtype?: unknown; shape?: unknown };
    if (typeof d.name !== "string") return problem(`${w}.name`, "a string", d.name);
    if (!isDtype(d.dtype)) return problem(`${w}.dtype`, "float16, float32 or float64", d.dtype);
    if (d.shape !== null && (!Array.isArray(d.shape) || elementCount(d.shape) < 0))
      return problem(`${w}.shape`, "null or non-negative integer dimensions", d.shape);
  }
  if (!Array.isArray(o.children)) return problem(`${at}.children`, "an array of children {name, link}", o.children);
  for (const [i, c] of o.children.entries()) {
    const w = `${at}.children[${i}]`;
    if (typeof c !== "object" || c === null) return problem(w, "a child {name, link}", c);
    const d = c as { name?: unknown; link?: unknown };
    if (typeof d.name !== "string") return problem(`${w}.name`, "a string", d.name);
    const inner = structureProblem(d.link, `${w}.link`, depth + 1);
    if (inner !== null) return inner;
  }
  return null;
}

/**
 * @clause invariants.param A parameter value has its declaration's dtype; `data` is null or an
 * array of that dtype and
 * `shape` equals its shape; `grad` is null or an array of the same dtype and shape; `gradValid` is a
 * boolean; `lossScale` is null or a number.
 */
export function paramProblem(p: unknown, at: string, dtype: Dtype): Problem | null {
  if (typeof p !== "object" || p === null)
    return problem(at, "a parameter {dtype, shape, data, grad, gradValid, lossScale}", p);
  const o = p as {
    dtype?: unknown;
    shape?: unknown;
    data?: unknown;
    grad?: unknown;
    gradValid?: unknown;
    lossScale?: unknown;
  };
  if (o.dtype !== dtype) return problem(`${at}.dtype`, `the declared dtype ${dtype}`, o.dtype);
  if (o.data !== null) {
    const bad = arrayProblem(o.data, `${at}.data`, { dtype });
    if (bad !== null) return bad;
  }
  const shape = o.data === null ? null : (o.data as { shape: readonly number[] }).shape;
  if (shape !== null) {
    if (!Array.isArray(o.shape) || o.shape.length !== shape.length || o.shape.some((d, i) => d !== shape[i])) {
      return problem(`${at}.shape`, `the data's shape [${shape.join(", ")}]`, o.shape);
    }
  } else if (o.shape !== null && (!Array.isArray(o.shape) || elementCount(o.shape) < 0)) {
    return problem(`${at}.shape`, "null or non-negative integer dimensions", o.shape);
  }
  if (o.grad !== null) {
    const bad = arrayProblem(o.grad, `${at}.grad`, { dtype, shape });
    if (bad !== null) return bad;
  }
  if (typeof o.gradValid !== "boolean") return problem(`${at}.gradValid`, "true or false", o.gradValid);
  if (o.lossScale !== null && typeof o.lossScale !== "number")
    return problem(`${at}.lossScale`, "null or a number", o.lossScale);
  return null;
}

/**
 * The cheap invariants of a whole state, checked when a state enters the API: its shape as a
 * record, counters, loss scale. (Arrays inside it were checked when they entered.)
 */
export function stateProblem(s: unknown, at = "state"): Problem | null {
  if (typeof s !== "object" || s === null) return problem(at, "an optimizer state (from createOptimizer)", s);
  const o = s as {
    optimizer?: unknown;
    t?: unknown;
    epoch?: unknown;
    lossScale?: unknown;
    rules?: unknown;
    hyperparam?: unknown;
    hooks?: unknown;
    target?: unknown;
  };
  if (typeof o.optimizer !== "string") return problem(`${at}.optimizer`, "an optimizer name", o.optimizer);
  if (typeof o.hyperparam !== "object" || o.hyperparam === null)
    return problem(`${at}.hyperparam`, "a record of hyperparameters", o.hyperparam);
  if (typeof o.rules !== "object" || o.rules === null)
    return problem(`${at}.rules`, "a record of update rules", o.rules);
  if (
    o.hooks !== null &&
    (typeof o.hooks !== "object" ||
      !Array.isArray((o.hooks as { pre?: unknown }).pre) ||
      !Array.isArray((o.hooks as { post?: unknown }).post))
  ) {
    return problem(`${at}.hooks`, "null or a hook table {pre, post}", o.hooks);
  }
  if (
    o.target !== null &&
    (typeof o.target !== "object" || typeof (o.target as { params?: unknown }).params !== "object")
  ) {
    return problem(`${at}.target`, "null or a link", o.target);
  }
  const counters = counterProblem(o.t, `${at}.t`) ?? counterProblem(o.epoch, `${at}.epoch`);
  if (counters !== null) return counters;
  if (typeof o.lossScale !== "object" || o.lossScale === null)
    return problem(`${at}.lossScale`, "the loss-scale settings", o.lossScale);
  const ls = lossScaleProblem(o.lossScale as LossScaleState, `${at}.lossScale`);
  if (ls !== null) return ls;
  for (const [path, r] of Object.entries(o.rules as Record<string, unknown>)) {
    if (typeof r !== "object" || r === null) return problem(`${at}.rules[${path}]`, "an update rule", r);
    const bad = counterProblem((r as { t?: unknown }).t, `${at}.rules[${path}].t`);
    if (bad !== null) return bad;
  }
  return null;
}
