/**
 * One timing: a warm-up of at least `warmupMs` and `warmupCalls` calls (V8 needs thousands of calls
 * of a small kernel, ~1 s, before its optimizing tier replaces the baseline code), then benchmark.js.
 *
 * A step that returns a promise is timed as a deferred benchmark that waits for it; a step that
 * returns anything else is timed synchronously. The clock stops when the step returns (or its
 * promise settles), so a step must itself force its work to finish (TF.js steps read back a tiny
 * dependent value, see bench/peers-tfjs.ts).
 */
import Benchmark from "benchmark";
import type { Measurement } from "./result.js";

export interface Timing {
  /** Minimum warm-up time in milliseconds. */
  readonly warmupMs: number;
  /** Minimum warm-up calls. */
  readonly warmupCalls: number;
  /** benchmark.js `minSamples`. */
  readonly minSamples: number;
  /** benchmark.js `maxTime` in seconds (sampling goes on until both this and minSamples are met). */
  readonly maxTimeS: number;
  /** benchmark.js `minTime` in seconds: the least duration of one sample (0: its default). */
  readonly minTimeS: number;
}

export type Step = () => unknown;

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

async function warmUp(step: Step, t: Timing): Promise<{ calls: number; async: boolean }> {
  let calls = 0;
  let async = false;
  const t0 = performance.now();
  while (calls < t.warmupCalls || performance.now() - t0 < t.warmupMs) {
    const r = step();
    if (isPromise(r)) {
      async = true;
      await r;
    }
    calls++;
  }
  return { calls, async };
}

function toMeasurement(b: Benchmark, warmupCalls: number): Measurement {
  if (b.error) throw b.error;
  return {
    opsPerSec: b.hz,
    rmePct: b.stats.rme,
    samples: b.stats.sample.length,
    meanMs: b.stats.mean * 1e3,
    warmupCalls,
  };
}

function options(name: string, t: Timing): Benchmark.Options {
  return {
    name,
    minSamples: t.minSamples,
    maxTime: t.maxTimeS,
    initCount: 1,
    ...(t.minTimeS > 0 ? { minTime: t.minTimeS } : {}),
  };
}

export async function measure(name: string, step: Step, t: Timing): Promise<Measurement> {
  const w = await warmUp(step, t);
  if (!w.async) {
    const b = new Benchmark({ ...options(name, t), fn: step });
    b.run({ async: false });
    return toMeasurement(b, w.calls);
  }
  return new Promise((resolve, reject) => {
    const b = new Benchmark({
      ...options(name, t),
      defer: true,
      fn: (d: Benchmark.Deferred) => {
        Promise.resolve(step()).then(() => d.resolve(), reject);
      },
      onComplete: () => {
        try {
          resolve(toMeasurement(b, w.calls));
        } catch (e) {
          reject(e);
        }
      },
    });
    b.run({ async: true });
  });
}
