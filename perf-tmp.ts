import { createLink, createOptimizer, setup, addHook, weightDecay, gradientClipping, type LinkStructure, type NDArray } from "./spec/index.js";
import { ResidentRun, jsBackend, type Segment } from "./backends/index.js";
const P = 1000, L = 1024;
const names = Array.from({ length: P }, (_, i) => `p${String(i).padStart(4, "0")}`);
const structure: LinkStructure = { kind: "link", params: names.map((name) => ({ name, dtype: "float32", shape: [L] })), children: [] };
const arr = (seed: number): NDArray => ({ dtype: "float32", shape: [L], data: Float64Array.from({ length: L }, (_, i) => Math.fround(Math.sin(seed * 7 + i) * 0.5)) });
const link = createLink(structure, Object.fromEntries(names.map((n, i) => [`/${n}`, arr(i)])));
function time(f: () => void, n = 20) { for (let i = 0; i < 3; i++) f(); const t = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t) / n; }
for (const hooks of [false, true]) {
  let s = setup(createOptimizer("Adam"), link);
  if (hooks) { s = addHook(s, weightDecay(1e-4)); s = addHook(s, gradientClipping(1e9)); }
  const run = ResidentRun.createSync(s, jsBackend);
  for (const n of names) run.gradView(`/${n}`).fill(0.01);
  const step = () => { run.markGradWritten("/p0000"); run.updateSync(); };
  // raw: the same packed layout
  const N = P * L;
  const bufs = { param: new Float32Array(N), grad: new Float32Array(N).fill(0.01), state: { m: new Float32Array(N), v: new Float32Array(N) } };
  let t = 0;
  const hp = { alpha: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, eta: 1, weight_decay_rate: 0, amsgrad: false, adabound: false, final_lr: 0.1, gamma: 1e-3 };
  const raw = () => { t++; const segs: Segment[] = names.map((_, i) => ({ offset: i * L, length: L, hp, t, extras: {} }));
    jsBackend.optimizers.Adam!.update("float32", bufs, segs);
    if (hooks) { jsBackend.hooks.WeightDecay!.apply("float32", { param: bufs.param, grad: bufs.grad }, names.map((_, i) => ({ offset: i * L, length: L, scalars: { rate: 1e-4 } })));
      for (let i = 0; i < P; i++) jsBackend.reductions.sumSquares("float32", bufs.grad, i * L, L); } };
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < 5; i++) { step(); raw(); }
  for (let r = 0; r < 30; r++) { let t0 = performance.now(); step(); ta.push(performance.now() - t0); t0 = performance.now(); raw(); tb.push(performance.now() - t0); }
  const med = (x: number[]) => x.sort((p, q) => p - q)[x.length >> 1]!;
  const a = med(ta), b = med(tb);
  console.log(hooks ? "adam+wd+clip" : "adam", "run", a.toFixed(2), "raw", b.toFixed(2), "ratio", (a / b).toFixed(3));
}
