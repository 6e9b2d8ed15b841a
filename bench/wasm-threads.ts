/**
 * Do worker threads pay for the Wasm backend? A measurement, not a backend: the Adam kernel built
 * for shared memory (`--sharedMemory`, same source, same results lane for lane) runs over N segments
 * either on the main thread alone or split in two halves, the second half on one worker over the
 * same shared `WebAssembly.Memory` (signalled with Atomics, the main thread doing its half
 * meanwhile). Adam is the compute-bound case (sqrt and div throughput), so it is where a second
 * core could help most; the figures decide whether a threaded backend is worth keeping.
 *
 *   node --import tsx/esm bench/wasm-threads.ts [elements …]
 */
import { Worker } from "node:worker_threads";
import { compileKernels } from "../backends/wasm/build.js";

const ROW_F64 = 16;
const SEGMENTS = 64;

interface SharedApi {
  Memory: new (d: { initial: number; maximum: number; shared: true }) => { readonly buffer: SharedArrayBuffer };
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => number> };
}
const WA = (globalThis as unknown as { WebAssembly: SharedApi }).WebAssembly;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, ctl } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const flag = new Int32Array(ctl);
const adam = inst.exports.adam_f32;
for (;;) {
  Atomics.wait(flag, 0, 0);
  if (Atomics.load(flag, 0) === 2) break;
  const a = new Int32Array(ctl);
  adam(a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
  Atomics.store(flag, 0, 0);
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
}
parentPort.postMessage("done");
`;

const sizes = process.argv.slice(2).map(Number);
const bytes = await compileKernels(undefined, ["--sharedMemory", "--maximumMemory", "16384", "--enable", "threads"]);
const module = new WA.Module(bytes);
const memory = new WA.Memory({ initial: 16384, maximum: 16384, shared: true }); // 1 GiB
const inst = new WA.Instance(module, { env: { memory } });
const adam = inst.exports["adam_f32"]!;
const ctl = new SharedArrayBuffer(64);
const flag = new Int32Array(ctl);
const worker = new Worker(WORKER, { eval: true, workerData: { module, memory, ctl } });

for (const n of sizes.length > 0 ? sizes : [65536, 1048576, 16777216]) {
  const table = 1 << 16;
  const bufs = [0, 1, 2, 3].map((i) => table + SEGMENTS * ROW_F64 * 8 + i * n * 4);
  const f32 = new Float32Array(memory.buffer);
  for (let q = 0; q < 4; q++) for (let i = 0; i < n; i++) f32[bufs[q]! / 4 + i] = q === 3 ? 0.05 : Math.sin(i + q);
  const rows = new Float64Array(memory.buffer, table, SEGMENTS * ROW_F64);
  const per = n / SEGMENTS;
  for (let k = 0; k < SEGMENTS; k++)
    rows.set([k * per, per, 0.1, 0.001, 0.001, 1e-8, 0, 0, 1, -1, 0, 0, 0], k * ROW_F64);
  const [p, g, m, v] = bufs as [number, number, number, number];
  const one = (): void => void adam(p, g, m, v, m, table, SEGMENTS);
  const half = SEGMENTS / 2;
  const two = (): void => {
    new Int32Array(ctl).set([p, g, m, v, m, table + half * ROW_F64 * 8, half], 2);
    Atomics.store(flag, 1, 0);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    adam(p, g, m, v, m, table, half);
    while (Atomics.load(flag, 1) === 0) Atomics.wait(flag, 1, 0);
  };
  const reps = Math.max(2, Math.round(3e7 / n));
  const times: { one: number[]; two: number[] } = { one: [], two: [] };
  for (let r = 0; r < 15; r++) {
    for (const [k, f] of [
      ["one", one],
      ["two", two],
    ] as const) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) f();
      times[k].push((performance.now() - t0) / reps);
    }
  }
  const best = (xs: number[]): number => Math.min(...xs);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const us = (x: number): string => `${(x * 1000).toFixed(0)} µs`;
  console.log(
    `Adam float32 ${n} (${SEGMENTS} segments): 1 thread ${us(best(times.one))} best / ${us(median(times.one))} median; ` +
      `2 threads ${us(best(times.two))} / ${us(median(times.two))}; speed-up ${(best(times.one) / best(times.two)).toFixed(2)}x best, ` +
      `${(median(times.one) / median(times.two)).toFixed(2)}x median (15 alternating samples)`,
  );
}
Atomics.store(flag, 0, 2);
Atomics.notify(flag, 0);
await new Promise((r) => worker.once("message", r));
await worker.terminate();
