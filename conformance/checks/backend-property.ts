/**
 * Properties over a backend that may be asynchronous: a synchronous backend gets a plain
 * fast-check property (its calls return values), an asynchronous one an async property whose
 * body is awaited. Bodies chain on backend results with `after`, so one body serves both.
 */
import fc from "fast-check";
import type { AnyBackend, MaybePromise } from "../../backends/contract.js";

/** `f(v)`, after `v` resolves when it is a promise. */
export function after<T, R>(v: MaybePromise<T>, f: (x: T) => MaybePromise<R>): MaybePromise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}

type Arbs<Ts extends [unknown, ...unknown[]]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };

export function backendProperty<Ts extends [unknown, ...unknown[]]>(
  backend: AnyBackend,
  arbs: Arbs<Ts>,
  body: (...xs: Ts) => MaybePromise<void>,
): fc.IProperty<Ts> | fc.IAsyncProperty<Ts> {
  if (backend.mode === "sync") {
    const sync = (...xs: Ts): void => {
      const r = body(...xs);
      if (r instanceof Promise) throw new TypeError(`backend ${backend.name} returned a promise; it is declared "sync"`);
    };
    return fc.property<Ts>(...([...arbs, sync] as [...Arbs<Ts>, (...xs: Ts) => void]));
  }
  const run = async (...xs: Ts): Promise<void> => {
    await body(...xs);
  };
  return fc.asyncProperty<Ts>(...([...arbs, run] as [...Arbs<Ts>, (...xs: Ts) => Promise<void>]));
}
