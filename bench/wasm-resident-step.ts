/**
 * One Adam step over 1,000 float32 parameters of 1,024 elements, timed in one process: the
 * resident run's `update()` on the `wasm` and `js` backends, the raw 1,000-segment Wasm kernel
 * call that step needs, and TensorFlow.js wasm's `applyGradients` over 1,000 variables (timed last:
 * it grows its heap, which detaches ArrayBuffers). Prints times and TF.js-time ratios.
 *
 *   node --import tsx/esm bench/wasm-resident-step.ts
 *
 * Until the bench's state-machine rows run through the resident run, this is where the "through
 * the resident update()" figure of the Wasm backend comes from.
 */
import { type LinkStructure, type NDArray, createLink, createOptimizer, setup } from "../spec/index.js";
import { ResidentRun, jsBackend } from "../backends/index.js";
import type { AnyBackend } from "../backends/contract.js";
import { wasmBackend } from "../backends/wasm/index.js";
import { measure, type Timing } from "./harness.js";
import { optimizerCase } from "./cases-backend.js";
import { loadTfjs } from "./peers-tfjs.js";
import { uniform } from "./workload.js";
import { OPTIMIZERS } from "../spec/optimizers/registry.js";

const TENSORS = 1000;
const LENGTH = 1024;
const timing: Timing = { warmupMs: 1000, warmupCalls: 5, minSamples: 5, maxTimeS: 1, minTimeS: 0 };

function model() {
  const names = Array.from({ length: TENSORS }, (_, i) => `p${String(i).padStart(4, "0")}`);
  const structure: LinkStructure = {
    kind: "link",
    params: names.map((name) => ({ name, dtype: "float32", shape: [LENGTH] })),
    children: [],
  };
  const arr = (seed: number, lo: number, hi: number): NDArray => ({
    dtype: "float32",
    shape: [LENGTH],
    data: uniform(LENGTH, lo, hi, "float32", seed),
  });
  const link = createLink(structure, Object.fromEntries(names.map((n, i) => [`/${n}`, arr(1000 + i, -1, 1)])));
  const grads = Object.fromEntries(names.map((n, i) => [`/${n}`, arr(5000 + i, -1, 1)]));
  return { link, grads };
}

const rows: { what: string; us: number }[] = [];
async function time(what: string, step: () => unknown): Promise<void> {
  const m = await measure(what, step, timing);
  rows.push({ what, us: m.meanMs * 1000 });
  console.log(`${what.padEnd(58)} ${(m.meanMs * 1000).toFixed(0).padStart(8)} µs ±${m.rmePct.toFixed(1)}%`);
}

const { link, grads } = model();
for (const b of [wasmBackend, jsBackend] as AnyBackend[]) {
  const run = ResidentRun.createSync(setup(createOptimizer("Adam"), link), b);
  run.setGradsSync(grads);
  await time(`resident update() on ${b.name}, Adam 1000x1024 float32`, () => run.updateSync());
}
const raw = optimizerCase(
  wasmBackend as unknown as AnyBackend,
  OPTIMIZERS["Adam"]!,
  "float32",
  TENSORS * LENGTH,
  TENSORS,
)!;
const prepared = await raw.prepare();
await time("raw wasm Adam kernel, one call over 1000 segments", prepared.step);
const tf = await loadTfjs("tfjs-wasm");
const peer = await tf.cases("Adam", TENSORS * LENGTH, TENSORS).prepare();
await time("TF.js wasm applyGradients over 1000 variables", peer.step);
const tfUs = rows[rows.length - 1]!.us;
for (const r of rows.slice(0, -1)) console.log(`TF.js wasm time / ${r.what}: ${(tfUs / r.us).toFixed(0)}x`);
