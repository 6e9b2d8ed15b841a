/**
 * One code path for synchronous and asynchronous backends: the resident run's work is a generator
 * that yields only where it needs a value a backend call returned as a promise. A synchronous
 * backend never yields (no promise is created, per element or per segment); an asynchronous one is
 * awaited exactly at those points.
 */
import type { MaybePromise } from "../contract.js";

export type Job<R> = Generator<Promise<unknown>, R, unknown>;

/** The value of a backend call: yielded (awaited) only when it is a promise. */
export function* value<T>(v: MaybePromise<T>): Job<T> {
  if (v instanceof Promise) return (yield v) as T;
  return v;
}

/** The values of many backend calls, awaited together when any is a promise. */
export function* values<T>(vs: readonly MaybePromise<T>[]): Job<T[]> {
  for (const v of vs) if (v instanceof Promise) return (yield Promise.all(vs)) as T[];
  return vs as T[];
}

/** Run a job whose backend is synchronous; a promise is a contract violation. */
export function runSync<R>(job: Job<R>, backend: string): R {
  const r = job.next();
  if (r.done) return r.value;
  // Observe the promise so that its rejection is not reported as unhandled.
  r.value.catch(() => undefined);
  job.return(undefined as never);
  throw new TypeError(`backend ${backend} returned a promise; the synchronous path needs a "sync" backend`);
}

/** Run a job, awaiting each promise it yields. */
export async function runAsync<R>(job: Job<R>): Promise<R> {
  let r = job.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = await r.value;
    } catch (err) {
      r = job.throw(err);
      continue;
    }
    r = job.next(v);
  }
  return r.value;
}
