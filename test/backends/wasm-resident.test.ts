/**
 * The resident run on the Wasm backend: the spec's state machine stepping on Wasm kernels over
 * buffers in linear memory, bit for bit the spec after every step (hooks, dynamic loss scaling,
 * float32 and float64), with gradients written in place through views.
 */
import { describe, expect, it } from "vitest";
import { createOptimizer, setGrads, setup, update } from "../../spec/index.js";
import { ResidentRun } from "../../backends/index.js";
import { createWasmBackend, wasmBackend } from "../../backends/wasm/index.js";
import { adamWithHooks, gradsFor, smallLink, snapshot } from "../helpers/fixtures.js";

describe("resident run (Wasm backend)", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`matches the spec bit for bit over steps with hooks and dynamic loss scaling (${dtype})`, () => {
      let spec = adamWithHooks(dtype);
      const run = ResidentRun.createSync(spec, wasmBackend);
      expect(run.residentPaths.length).toBe(4);
      for (let i = 0; i < 4; i++) {
        const g = gradsFor(spec, 100 + i);
        spec = update(setGrads(spec, g));
        run.setGradsSync(g);
        run.updateSync();
        expect(snapshot(run.snapshotSync())).toEqual(snapshot(spec));
      }
    });
  }

  it("takes gradients written in place through views, on a heap that moved to a larger memory", () => {
    const backend = createWasmBackend("wasm-resident-test");
    const s0 = setup(createOptimizer("MomentumSGD"), smallLink("float32", 4));
    const run = ResidentRun.createSync(s0, backend);
    const before = backend.heap.byteLength;
    backend.memory.free!(backend.memory.alloc("float64", 1 << 20)); // the heap moves; views are re-created
    expect(backend.heap.byteLength).toBeGreaterThan(before);
    const g = gradsFor(s0, 9);
    for (const [path, a] of Object.entries(g)) run.gradView(path).set(a.data);
    run.updateSync();
    expect(snapshot(run.snapshotSync())).toEqual(snapshot(update(setGrads(s0, g))));
  });
});
