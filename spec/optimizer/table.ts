/**
 * Copying a table keyed by parameter path (rules, parameters) once per step. Models have thousands
 * of parameters, where `{ ...table }` costs about a microsecond per key in V8 (dictionary-mode
 * objects inheriting from Object.prototype); a prototype-less copy filled key by key in the
 * parameters' order (an array, no key enumeration) costs a fraction of that. Tables hold exactly
 * the structure's paths (`setup`, `createLink` and the loaders build them from it); a path
 * without an entry (a parameter without a rule) stays without one.
 */
export function copyTable<T>(src: Readonly<Record<string, T>>, order: readonly string[]): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const k of order) {
    const v = src[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
