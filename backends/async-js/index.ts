/**
 * The JS kernels behind promises: an asynchronous backend for testing everything that accepts
 * asynchronous backends (the engine, resident runs, the conformance kit, the bench). Every call
 * is queued and runs later, in issue order, the way a GPU queue or a worker would run it; values
 * (reads, reductions) resolve only after everything issued before them ran. Exact, like `js`.
 */
import type {
  Backend,
  Elementwise,
  HookKernel,
  MaybePromise,
  Memory,
  OptimizerKernel,
  Reductions,
} from "../contract.js";
import { type JsBuffer, jsBackend } from "../js/index.js";

/** A fresh asynchronous JS backend (each has its own queue). */
export function asyncJsBackend(name = "js-async"): Backend<JsBuffer> {
  let queue: Promise<unknown> = Promise.resolve();
  const later = <T>(f: () => MaybePromise<T>): Promise<T> => {
    const p = queue.then(f);
    queue = p.catch(() => undefined);
    return p;
  };
  const js = jsBackend;
  const memory: Memory<JsBuffer> = {
    alloc: (dtype, length) => js.memory.alloc(dtype, length),
    write: (buf, values, offset) => {
      const copy = Float64Array.from(values); // the caller may reuse its array once the call is issued
      return later(() => js.memory.write(buf, copy, offset));
    },
    read: (buf, offset, length) => later(() => js.memory.read(buf, offset, length)),
    free: () => undefined,
  };
  const optimizers: Record<string, OptimizerKernel<JsBuffer>> = {};
  for (const [k, kernel] of Object.entries(js.optimizers))
    optimizers[k] = { update: (d, b, s) => later(() => kernel.update(d, b, s)) };
  const hooks: Record<string, HookKernel<JsBuffer>> = {};
  for (const [k, kernel] of Object.entries(js.hooks))
    hooks[k] = { apply: (d, b, s) => later(() => kernel.apply(d, b, s)) };
  const r = js.reductions;
  const reductions: Reductions<JsBuffer> = {
    sumSquares: (d, b, o, n) => later(() => r.sumSquares(d, b, o, n)),
    allFinite: (d, b, o, n) => later(() => r.allFinite(d, b, o, n)),
    scale: (d, b, o, n, rate) => later(() => r.scale(d, b, o, n, rate)),
  };
  const e = js.elementwise as Elementwise<JsBuffer>;
  const elementwise: Elementwise<JsBuffer> = {
    fill: (d, b, spans, v) => later(() => e.fill(d, b, spans, v)),
    divide: (d, b, spans, v) => later(() => e.divide(d, b, spans, v)),
  };
  return {
    name,
    description: "The JS kernels behind promises, queued in issue order (for testing asynchronous paths); exact.",
    dtypes: js.dtypes,
    promise: js.promise,
    mode: "async",
    memory,
    optimizers,
    hooks,
    reductions,
    elementwise,
    available: async () => ({ ok: true }),
  };
}
