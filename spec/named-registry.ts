/**
 * A registry of named entries (hook kinds, noise functions, backends): registering a second,
 * different entry under a taken name is an error; registering the same entry again is a no-op.
 */
export interface NamedRegistry<T> {
  register(entry: T): void;
  get(name: string): T | undefined;
  names(): string[];
  values(): T[];
}

export function namedRegistry<T>(what: string, nameOf: (entry: T) => string): NamedRegistry<T> {
  const entries = new Map<string, T>();
  return {
    register(entry) {
      const name = nameOf(entry);
      const existing = entries.get(name);
      if (existing !== undefined && existing !== entry) {
        throw new TypeError(`register ${what}: one named ${JSON.stringify(name)} is already registered`);
      }
      entries.set(name, entry);
    },
    get: (name) => entries.get(name),
    names: () => [...entries.keys()],
    values: () => [...entries.values()],
  };
}
