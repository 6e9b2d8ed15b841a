import { listBackends } from "../backends/index.js";
import { OPTIMIZERS } from "../spec/index.js";
import { optimizerCase, hookCase } from "./cases-backend.js";
import { HOOKS } from "./workload.js";
const b = listBackends()[0]!;
for (const dtype of ["float32", "float64"] as const) {
  const cases = [...Object.values(OPTIMIZERS).map((d) => optimizerCase(b, d, dtype, 4096, 1)), ...Object.keys(HOOKS).map((k) => hookCase(b, k, dtype, 4096, 1))];
  for (const c of cases) {
    if (!c) continue;
    // Peek buffers by wrapping memory.alloc
    const bufs: (Float32Array | Float64Array)[] = [];
    const orig = b.memory.alloc.bind(b.memory);
    (b.memory as { alloc: typeof orig }).alloc = (d, n) => { const x = orig(d, n); bufs.push(x as Float32Array); return x; };
    const p = await c.prepare();
    (b.memory as { alloc: typeof orig }).alloc = orig;
    for (let i = 0; i < 300000; i++) p.step();
    let bad = 0, denorm = 0, maxAbs = 0;
    const lim = dtype === "float32" ? 1.18e-38 : 2.2e-308;
    for (const a of bufs) for (const x of a) { if (!Number.isFinite(x)) bad++; else if (x !== 0 && Math.abs(x) < lim) denorm++; maxAbs = Math.max(maxAbs, Math.abs(x)); }
    console.log(dtype, c.variant.padEnd(22), "nonfinite", bad, "denormal", denorm, "max", maxAbs.toExponential(2));
  }
}
