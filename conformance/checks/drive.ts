/**
 * One check body for synchronous and asynchronous backends. A body is a generator that yields
 * every value a backend call returns (`MaybePromise`) and receives it settled: the synchronous
 * driver feeds plain values straight back (a "sync" backend that returns a promise is an error),
 * the asynchronous driver awaits them. So a check is written once, and a synchronous backend pays
 * no promise cost.
 */
import fc from "fast-check";
import type { AnyBackend } from "../../backends/contract.js";

/** A check body: yields backend results, receives them settled. */
export type Body<R = void> = Generator<unknown, R, unknown>;

export function runSync<R>(body: Body<R>, backend: string): R {
  let r = body.next();
  while (!r.done) {
    if (r.value instanceof Promise) {
      throw new TypeError(`backend ${backend} declares mode "sync" but a call returned a promise`);
    }
    r = body.next(r.value);
  }
  return r.value;
}

export async function runAsync<R>(body: Body<R>): Promise<R> {
  let r = body.next();
  while (!r.done) r = body.next(await r.value);
  return r.value;
}

/** A fast-check property over `arb` whose body runs on the backend's own mode. */
export function backendProperty<T>(
  backend: AnyBackend,
  arb: fc.Arbitrary<T>,
  body: (value: T) => Body,
): fc.IRawProperty<[T]> {
  if (backend.mode === "async") return fc.asyncProperty(arb, (v) => runAsync(body(v)));
  return fc.property(arb, (v) => runSync(body(v), backend.name));
}
