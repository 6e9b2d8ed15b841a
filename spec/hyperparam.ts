/**
 * Hyperparameters and their inheritance.
 *
 * @clause hyperparam.inherit A rule's hyperparameter lookup returns the rule's own value if set,
 * else the optimizer's. Rules created by setup own no values, so changing an optimizer
 * hyperparameter between steps changes every rule at the next update.
 * @clause hyperparam.override Setting a hyperparameter on one rule overrides it for that rule only;
 * deleting the override exposes the optimizer's value again.
 * @clause hyperparam.get-dict `getDict` is the optimizer's values updated with the rule's own.
 */
export type HyperValue = number | boolean | null;
export type Hyperparams = Readonly<Record<string, HyperValue>>;

/** The kinds of Python value a hyperparameter holds; an int default stays an int. */
export type HyperType = "float" | "int" | "bool" | "float|null";

export interface HyperparamDef {
  readonly name: string;
  readonly default: HyperValue;
  readonly type: HyperType;
}

export function effectiveHyperparams(parent: Hyperparams, own: Hyperparams): Hyperparams {
  // A rule without overrides (the usual case) shares its parent's table: same value, no copy per rule per step.
  for (const _ in own) return { ...parent, ...own };
  return parent;
}

/** Read a float hyperparameter (ints and bools count as numbers, as in Python arithmetic). */
export function num(hp: Hyperparams, name: string): number {
  const v = hp[name];
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new TypeError(`hyperparameter ${name} is ${v === undefined ? "missing" : String(v)}, a number is needed`);
}

/** Python truthiness of a hyperparameter. */
export function truthy(hp: Hyperparams, name: string): boolean {
  const v = hp[name];
  return v !== null && v !== undefined && v !== false && v !== 0 && !Number.isNaN(v);
}

export function checkHyperValue(name: string, value: unknown, type: HyperType | undefined): string | null {
  if (type === "bool")
    return typeof value === "boolean" || typeof value === "number" ? null : `${name} must be a boolean`;
  if (type === "float|null" && value === null) return null;
  if (typeof value !== "number" && typeof value !== "boolean")
    return `${name} must be a number, got ${value === null ? "null" : typeof value}`;
  return null;
}
