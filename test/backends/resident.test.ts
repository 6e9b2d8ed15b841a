import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type OptimizerState,
  OptspecError,
  addHook,
  array,
  createLink,
  createOptimizer,
  setGrads,
  setHyperparam,
  setup,
  update,
  weightDecay,
} from "../../spec/index.js";
import { type AnyBackend, ResidentOptimizer, ResidentRun, jsBackend } from "../../backends/index.js";
import { Optimizer, setLossScale } from "../../spec/index.js";
import { goldenLoss } from "../../conformance/golden/fixtures.js";
import { adamWithHooks, gradsFor, smallLink, snapshot } from "../helpers/fixtures.js";
import { clauses } from "../helpers/clauses.js";

/** The JS backend with every kernel and reduction call counted. */
function counted(): { backend: AnyBackend; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const wrap = <T extends object>(name: string, o: T): T =>
    Object.fromEntries(
      Object.entries(o).map(([k, f]) => [
        k,
        typeof f === "function"
          ? (...a: unknown[]) => (count(`${name}.${k}`), (f as (...x: unknown[]) => unknown).apply(o, a))
          : f,
      ]),
    ) as T;
  const backend: AnyBackend = {
    ...(jsBackend as AnyBackend),
    name: "js-counted",
    optimizers: Object.fromEntries(Object.entries(jsBackend.optimizers).map(([k, v]) => [k, wrap(`opt.${k}`, v)])),
    hooks: Object.fromEntries(Object.entries(jsBackend.hooks).map(([k, v]) => [k, wrap(`hook.${k}`, v)])),
    reductions: wrap("red", jsBackend.reductions),
    memory: wrap("mem", jsBackend.memory),
  } as AnyBackend;
  return { backend, calls };
}

describe("resident run (JS backend)", () => {
  it(`matches the spec bit for bit over steps with hooks and dynamic loss scaling [${clauses("step.program")}]`, () => {
    let spec = adamWithHooks();
    const run = ResidentRun.createSync(spec, jsBackend);
    expect(run.residentPaths.length).toBe(4);
    for (let i = 0; i < 4; i++) {
      const g = gradsFor(spec, 100 + i);
      spec = update(setGrads(spec, g));
      run.setGradsSync(g);
      run.updateSync();
      expect(snapshot(run.snapshotSync())).toEqual(snapshot(spec));
    }
  });

  it("issues one multi-segment call per kernel and step", () => {
    const { backend, calls } = counted();
    const s0 = addHook(setup(createOptimizer("Adam"), smallLink("float32", 3)), weightDecay(1e-3));
    const run = ResidentRun.createSync(s0, backend);
    run.setGradsSync(gradsFor(s0, 5));
    for (const k of Object.keys(calls)) delete calls[k];
    run.updateSync();
    expect(calls["opt.Adam.update"]).toBe(1);
    expect(calls["hook.WeightDecay.apply"]).toBe(1);
    expect(calls["mem.read"]).toBeUndefined();
    expect(calls["mem.write"]).toBeUndefined();
  });

  it("lets gradients be written in place through a view", () => {
    const s0 = setup(createOptimizer("MomentumSGD"), smallLink("float64", 4));
    const g = gradsFor(s0, 9);
    const run = ResidentRun.createSync(s0, jsBackend);
    for (const [path, a] of Object.entries(g)) run.gradView(path).set(a.data);
    run.updateSync();
    expect(snapshot(run.snapshotSync())).toEqual(snapshot(update(setGrads(s0, g))));
  });

  it("runs 0-d parameters through the spec, next to resident ones", () => {
    const structure = {
      kind: "chain" as const,
      params: [
        { name: "s", dtype: "float32" as const, shape: [] },
        { name: "v", dtype: "float32" as const, shape: [2] },
      ],
      children: [],
    };
    const s0 = setup(
      createOptimizer("Adam"),
      createLink(structure, { "/s": array("float32", [], [1.5]), "/v": array("float32", [2], [0.5, -2]) }),
    );
    const g = { "/s": array("float32", [], [0.3]), "/v": array("float32", [2], [0.1, -0.7]) };
    const run = ResidentRun.createSync(s0, jsBackend);
    expect(run.residentPaths).toEqual(["/v"]);
    run.setGradsSync(g);
    run.updateSync();
    expect(snapshot(run.snapshotSync())).toEqual(snapshot(update(setGrads(s0, g))));
  });

  it("a failing update leaves Chainer's partial state, on the run and on the error", () => {
    let s0 = setup(createOptimizer("Adam"), smallLink("float32", 2));
    s0 = update(setGrads(s0, gradsFor(s0, 1)));
    s0 = setGrads(setHyperparam(s0, "amsgrad", true), gradsFor(s0, 2)); // no vhat: KeyError after the moments
    const run = ResidentRun.createSync(s0, jsBackend);
    let specErr: unknown;
    let runErr: unknown;
    try {
      update(s0);
    } catch (e) {
      specErr = e;
    }
    try {
      run.updateSync();
    } catch (e) {
      runErr = e;
    }
    expect(specErr).toBeInstanceOf(OptspecError);
    expect(runErr).toBeInstanceOf(OptspecError);
    const partial = (specErr as OptspecError).partial as OptimizerState;
    expect(snapshot((runErr as OptspecError).partial)).toEqual(snapshot(partial));
    expect(snapshot(run.snapshotSync())).toEqual(snapshot(partial));
  });

  it("a rejected command leaves the run as it was", () => {
    const s0 = setup(createOptimizer("SGD"), smallLink("float32", 2));
    const run = ResidentRun.createSync(s0, jsBackend);
    run.addHook(weightDecay(1e-3));
    const before = snapshot(run.snapshotSync());
    expect(() => run.addHook(weightDecay(1e-3))).toThrow(OptspecError);
    expect(() => run.setGradsSync({ "/u": [1, 2] })).toThrow(OptspecError);
    expect(snapshot(run.snapshotSync())).toEqual(before);
  });

  it("ResidentOptimizer: Chainer's method names on a backend", () => {
    const link = smallLink("float32", 5);
    const ref = Optimizer.create("Adam", { alpha: 0.01 }).setup(link);
    const opt = ResidentOptimizer.on(Optimizer.create("Adam", { alpha: 0.01 }).setup(link), jsBackend);
    for (const o of [ref, opt]) {
      o.addHook(weightDecay(1e-3));
      o.setGrads(gradsFor(ref.state, 3));
      o.update();
      o.newEpoch();
    }
    expect(opt.t).toBe(1);
    expect(opt.epoch).toBe(1);
    expect(snapshot(opt.state)).toEqual(snapshot(ref.state));
  });

  it("property: after any call, failed or not, the run is the spec's state (Chainer's partial state after a failed update)", () => {
    type Op = {
      label: string;
      f: (s: OptimizerState) => OptimizerState;
      onRun: (r: ResidentRun) => void;
      isUpdate: boolean;
    };
    const op = fc.oneof(
      fc.integer({ min: 1, max: 1000 }).map((seed): Op => {
        const g = gradsFor(setup(createOptimizer("Adam"), smallLink("float32", 1)), seed);
        return {
          label: `update ${seed}`,
          f: (s) => update(setGrads(s, g)),
          onRun: (r) => (r.setGradsSync(g), r.updateSync()),
          isUpdate: true,
        };
      }),
      fc.constantFrom(1e-50, 1e-8).map((eps): Op => ({
        label: `eps ${eps}`,
        f: (s) => setHyperparam(s, "eps", eps),
        onRun: (r) => r.setHyperparam("eps", eps),
        isUpdate: false,
      })),
      fc.boolean().map((on): Op => ({
        label: `amsgrad ${on}`,
        f: (s) => setHyperparam(s, "amsgrad", on),
        onRun: (r) => r.setHyperparam("amsgrad", on),
        isUpdate: false,
      })),
      fc.constantFrom(-1, 16).map((v): Op => ({
        label: `lossScale ${v}`,
        f: (s) => setLossScale(s, v),
        onRun: (r) => r.setLossScale(v),
        isUpdate: false,
      })),
      fc.constant<Op>({
        label: "addHook twice",
        f: (s) => addHook(s, weightDecay(1e-3)),
        onRun: (r) => r.addHook(weightDecay(1e-3)),
        isUpdate: false,
      }),
      fc.constant<Op>({
        label: "bad grads",
        f: (s) => setGrads(s, { "/u": array("float32", [2], [1, 2]) }),
        onRun: (r) => r.setGradsSync({ "/u": [1, 2] }),
        isUpdate: false,
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 8 }), (ops) => {
        let spec = setup(createOptimizer("Adam"), smallLink("float32", 2));
        const run = ResidentRun.createSync(spec, jsBackend);
        for (const o of ops) {
          let specErr: unknown = null;
          let runErr: unknown = null;
          try {
            spec = o.f(spec);
          } catch (e) {
            specErr = e;
            if (o.isUpdate && e instanceof OptspecError && e.partial !== undefined) spec = e.partial as OptimizerState;
          }
          try {
            o.onRun(run);
          } catch (e) {
            runErr = e;
          }
          expect(runErr === null, o.label).toBe(specErr === null);
          expect(snapshot(run.snapshotSync())).toEqual(snapshot(spec));
        }
      }),
      { numRuns: 40, seed: 4242 },
    );
  });

  it("without the optional elementwise extension and views: loss functions, loss scale and zero gradients still match", () => {
    const { elementwise: _e, ...rest } = jsBackend as AnyBackend;
    // oxlint-disable-next-line typescript/unbound-method -- destructured only to leave it out
    const { view: _v, ...memory } = jsBackend.memory as AnyBackend["memory"];
    const bare: AnyBackend = { ...rest, name: "js-bare", memory };
    let spec = setLossScale(
      addHook(setup(createOptimizer("MomentumSGD"), smallLink("float64", 6)), weightDecay(1e-3)),
      64,
    );
    const run = ResidentRun.createSync(spec, bare);
    for (let i = 0; i < 3; i++) {
      spec = update(spec, goldenLoss);
      run.updateSync(goldenLoss);
      expect(snapshot(run.snapshotSync())).toEqual(snapshot(spec));
    }
    expect(() => run.gradView("/u")).toThrow(TypeError);
  });
});
