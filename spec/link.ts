/**
 * Links, parameters and Chainer's parameter iteration order.
 *
 * @clause link.order.chain A Chain yields its own parameters sorted by name in code-point order
 * (`'Y' < 'a'`, `'l10' < 'l2'`), then, for each child in code-point order of the child names, the
 * child's parameters, depth first. Paths are `'/' + name`, prefixed by `'/' + childname`.
 * @clause link.order.chainlist A ChainList yields its own parameters sorted, then its children in
 * list (index) order under `'/0'`, `'/1'`, … (index 10 after 9).
 * @clause link.params.uninitialized A parameter may have no data (uninitialized) and no gradient;
 * it still appears in the order (Chainer's `include_uninit=True`).
 */
import type { Dtype } from "./numerics/dtype.js";
import type { NDArray } from "./ndarray.js";
import { InvalidValueError } from "./errors.js";
import { arrayProblem, describeValue, structureProblem } from "./invariants.js";
import { deepFreeze, ownArray } from "./plain-data.js";

/** The static structure of a link: which parameters and children it registers. */
export interface LinkStructure {
  readonly kind: "link" | "chain" | "chainlist";
  /** Own parameters in registration order, with their declared dtype and shape (null: lazy). */
  readonly params: readonly ParamDecl[];
  /** Children in registration order (for a chainlist, list order; names are ignored). */
  readonly children: readonly { readonly name: string; readonly link: LinkStructure }[];
}

export interface ParamDecl {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[] | null;
}

/**
 * A parameter's runtime value.
 * @clause link.grad.states `grad` is null when the gradient is absent (after `cleargrads`, or never
 * set). `gradValid` is false only for an uninitialized parameter whose gradient was never cleared:
 * reading its gradient raises (Chainer's NaN gradient initializer).
 * @clause link.grad.loss-scale `lossScale` is the `_loss_scale` a backward pass left on the parameter
 * (null when no loss scale was used); update rules divide the gradient by it.
 */
export interface Param {
  readonly dtype: Dtype;
  readonly shape: readonly number[] | null;
  readonly data: NDArray | null;
  readonly grad: NDArray | null;
  readonly gradValid: boolean;
  readonly lossScale: number | null;
}

/** A link: its structure plus the values of its parameters, keyed by path. */
export interface Link {
  readonly structure: LinkStructure;
  readonly params: Readonly<Record<string, Param>>;
}

function compareCodePoints(a: string, b: string): number {
  // Python compares str by code point; JS `<` compares UTF-16 code units, which differs only for
  // astral characters, so compare by code point explicitly.
  const ca = Array.from(a, (c) => c.codePointAt(0) as number);
  const cb = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return (ca[i] as number) - (cb[i] as number);
  }
  return ca.length - cb.length;
}

/** Chainer's `namedparams()` paths of a structure, in iteration order. */
export function paramPaths(structure: LinkStructure, prefix = ""): string[] {
  const own = [...structure.params].map((p) => p.name).sort(compareCodePoints);
  const out = own.map((n) => `${prefix}/${n}`);
  const children =
    structure.kind === "chainlist"
      ? structure.children.map((c, i) => ({ name: String(i), link: c.link }))
      : [...structure.children].sort((a, b) => compareCodePoints(a.name, b.name));
  for (const c of children) out.push(...paramPaths(c.link, `${prefix}/${c.name}`));
  return out;
}

const orderCache = new WeakMap<LinkStructure, readonly string[]>();

/** `paramPaths`, computed once per structure (structures are immutable): the order the state machine walks every step. */
export function paramOrder(structure: LinkStructure): readonly string[] {
  let order = orderCache.get(structure);
  if (order === undefined) {
    order = Object.freeze(paramPaths(structure));
    orderCache.set(structure, order);
  }
  return order;
}

/** The declaration of every parameter, keyed by path. */
export function paramDecls(structure: LinkStructure, prefix = ""): Record<string, ParamDecl> {
  const out: Record<string, ParamDecl> = {};
  for (const p of structure.params) out[`${prefix}/${p.name}`] = p;
  structure.children.forEach((c, i) => {
    const name = structure.kind === "chainlist" ? String(i) : c.name;
    Object.assign(out, paramDecls(c.link, `${prefix}/${name}`));
  });
  return out;
}

/** Validate a structure: names are non-empty, contain no '/', and are unique within a link. */
export function validateStructure(structure: LinkStructure, where = "/"): string | null {
  const seen = new Set<string>();
  for (const p of structure.params) {
    if (p.name === "" || p.name.includes("/"))
      return `parameter name ${JSON.stringify(p.name)} at ${where} is empty or contains '/'`;
    if (seen.has(p.name)) return `name ${JSON.stringify(p.name)} registered twice at ${where}`;
    seen.add(p.name);
  }
  for (const c of structure.children) {
    if (structure.kind !== "chainlist") {
      if (c.name === "" || c.name.includes("/"))
        return `child name ${JSON.stringify(c.name)} at ${where} is empty or contains '/'`;
      if (seen.has(c.name)) return `name ${JSON.stringify(c.name)} registered twice at ${where}`;
      seen.add(c.name);
    }
  }
  for (const [i, c] of structure.children.entries()) {
    const name = structure.kind === "chainlist" ? String(i) : c.name;
    const err = validateStructure(c.link, `${where}${name}/`);
    if (err !== null) return err;
  }
  return null;
}

/**
 * Create a link from a structure and initial data. Parameters with a declared shape and no value
 * given start as in Chainer when created with a shape: NaN data, NaN gradient.
 * @clause link.create The structure must be well-formed (`invariants.link`), every key of `data`
 * a parameter path, and every array given a valid NDArray (`invariants.array`) of the parameter's
 * declared dtype; otherwise `InvalidValueError`. The link holds copies of the arrays given
 * (`state.no-aliasing`) and is frozen.
 */
export function createLink(structure: LinkStructure, data: Readonly<Record<string, NDArray | null>> = {}): Link {
  const fail = (p: { at: string; expected: string; got: string }): never => {
    throw new InvalidValueError("createLink", p, "link.create");
  };
  const sp = structureProblem(structure, "structure");
  if (sp !== null) fail(sp);
  const err = validateStructure(structure);
  if (err !== null) fail({ at: "structure", expected: "a valid link structure", got: err });
  if (typeof data !== "object" || data === null)
    fail({ at: "data", expected: "a record of arrays by parameter path", got: describeValue(data) });
  const decls = paramDecls(structure);
  for (const path of Object.keys(data)) {
    if (!(path in decls))
      fail({
        at: `data[${path}]`,
        expected: `a parameter path of the structure (${Object.keys(decls).join(", ")})`,
        got: describeValue(path),
      });
  }
  const params: Record<string, Param> = {};
  for (const path of paramPaths(structure)) {
    const decl = decls[path] as ParamDecl;
    const given = data[path];
    if (given !== undefined && given !== null) {
      const bad = arrayProblem(given, `data[${path}]`, { dtype: decl.dtype });
      if (bad !== null) fail(bad);
      const own = ownArray(given);
      params[path] = { dtype: decl.dtype, shape: own.shape, data: own, grad: null, gradValid: true, lossScale: null };
    } else if (decl.shape !== null) {
      const n = decl.shape.reduce((a, b) => a * b, 1);
      const nan: NDArray = { dtype: decl.dtype, shape: [...decl.shape], data: new Float64Array(n).fill(NaN) };
      params[path] = { dtype: decl.dtype, shape: nan.shape, data: nan, grad: nan, gradValid: true, lossScale: null };
    } else {
      params[path] = { dtype: decl.dtype, shape: null, data: null, grad: null, gradValid: false, lossScale: null };
    }
  }
  return deepFreeze({ structure: copyStructure(structure), params });
}

/** A deep copy of a (validated) structure, so the caller's objects are not kept. */
export function copyStructure(s: LinkStructure): LinkStructure {
  return {
    kind: s.kind,
    params: s.params.map((p) => ({ name: p.name, dtype: p.dtype, shape: p.shape === null ? null : [...p.shape] })),
    children: s.children.map((c) => ({ name: c.name, link: copyStructure(c.link) })),
  };
}

/**
 * @clause link.cleargrads `cleargrads()` sets every gradient to null and marks it valid, for
 * uninitialized parameters too.
 */
export function cleargrads(link: Link): Link {
  const params: Record<string, Param> = {};
  for (const [path, p] of Object.entries(link.params)) params[path] = { ...p, grad: null, gradValid: true };
  return { structure: link.structure, params };
}

/** Replace some parameters' values (the others are shared, unchanged). */
export function withParams(link: Link, changes: Readonly<Record<string, Param>>): Link {
  return { structure: link.structure, params: { ...link.params, ...changes } };
}
