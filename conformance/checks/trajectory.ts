/**
 * Trajectory checks (model-based, `fc.commands`): the spec and the backend run the same command
 * sequence on the same optimizer; after every command all parameters, gradients and state arrays
 * must agree.
 */
import fc from "fast-check";
import {
  type Dtype,
  type NDArray,
  type OptimizerState,
  type OptimizerDef,
  type HookSpec,
  OPTIMIZERS,
  OptspecError,
  addHook,
  array,
  createLink,
  createOptimizer,
  newEpoch,
  removeHook,
  setEnabled,
  setGrads,
  setHyperparam,
  setLossScale,
  setup,
  update,
  saveLossless,
  loadLossless,
  saveNpz,
  loadNpz,
} from "../../spec/index.js";
import { updateOn } from "../../backends/engine.js";
import { goldenLoss } from "../golden/fixtures.js";
import { hyperparamsArb } from "../arbitraries.js";
import { expectClose } from "./compare.js";
import { allowedUlp } from "./kernel-clauses.js";
import { type Check, Mismatch } from "./types.js";

const PATHS = ["/a", "/b/W", "/b/c", "/d"];
const SHAPES: Record<string, number[]> = { "/a": [5], "/b/W": [2, 3], "/b/c": [1], "/d": [17] };

function initial(def: OptimizerDef, dtype: Dtype, seed: number): OptimizerState {
  let x = seed >>> 0;
  const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const structure = {
    kind: "chain" as const,
    params: [{ name: "a", dtype, shape: [5] }, { name: "d", dtype, shape: [17] }],
    children: [{ name: "b", link: { kind: "link" as const, params: [{ name: "W", dtype, shape: [2, 3] }, { name: "c", dtype, shape: [1] }], children: [] } }],
  };
  const data: Record<string, NDArray> = {};
  for (const p of PATHS) {
    const shape = SHAPES[p] as number[];
    data[p] = array(dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rnd));
  }
  return setup(createOptimizer(def.name), createLink(structure, data));
}

interface Pair {
  spec: OptimizerState;
  backend: OptimizerState;
}

function compareStates(a: OptimizerState, b: OptimizerState, tol: number, kernelClause: string): void {
  if (a.t !== b.t) throw new Mismatch({ what: "t", clause: "update.sequence", detail: `${b.t} vs ${a.t}` });
  for (const p of PATHS) {
    const pa = a.target!.params[p]!;
    const pb = b.target!.params[p]!;
    expectClose(`param ${p}`, kernelClause, pa.data!, pb.data!, tol);
    if ((pa.grad === null) !== (pb.grad === null)) throw new Mismatch({ what: `grad ${p} presence`, clause: "hooks.call.reallocate" });
    if (pa.grad && pb.grad) expectClose(`grad ${p}`, "hooks.call.order", pa.grad, pb.grad, tol);
    const ra = a.rules[p]!;
    const rb = b.rules[p]!;
    if (ra.t !== rb.t) throw new Mismatch({ what: `rule ${p} t`, clause: "rule.update.t", detail: `${rb.t} vs ${ra.t}` });
    if ((ra.state === null) !== (rb.state === null)) throw new Mismatch({ what: `rule ${p} state presence`, clause: "rule.update.lazy-state" });
    for (const [k, v] of Object.entries(ra.state ?? {})) expectClose(`rule ${p} state.${k}`, kernelClause, v, rb.state![k]!, tol);
  }
}

type Cmd = fc.Command<object, Pair>;

function both(r: Pair, f: (s: OptimizerState) => OptimizerState): void {
  let ea: unknown = null;
  let eb: unknown = null;
  let na = r.spec;
  let nb = r.backend;
  try {
    na = f(r.spec);
  } catch (e) {
    ea = e;
  }
  try {
    nb = f(r.backend);
  } catch (e) {
    eb = e;
  }
  if ((ea === null) !== (eb === null)) {
    throw new Mismatch({ what: "one side raised", clause: ea instanceof OptspecError ? ea.clause : eb instanceof OptspecError ? eb.clause : "update.sequence", detail: `spec: ${String(ea)}, backend: ${String(eb)}` });
  }
  r.spec = na;
  r.backend = nb;
}

export function trajectoryCheck(def: OptimizerDef, dtype: Dtype): Check {
  const kernel = def.kernel ?? def.name;
  return {
    id: `trajectory/${def.name}/${dtype}`,
    group: "trajectories",
    kernel,
    dtype,
    clauses: ["update.sequence", "serialization.lossless.complete", "rule.update.order", "rule.update.disabled", "hooks.call.order", "hyperparam.inherit", "update.zero-grad", "loss-scale.static.positive", "rule.update.unscale"],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : b.optimizers[kernel] === undefined ? `no ${kernel} kernel` : null),
    property: (ctx) => {
      const onBackend = updateOn(ctx.backend);
      const tol = allowedUlp(ctx.backend, kernel);
      const upd = (withLoss: boolean) => (s: OptimizerState, isBackend: boolean) => (isBackend ? onBackend : update)(s, withLoss ? goldenLoss : undefined);
      const step = fc.record({ seed: fc.integer({ min: 1, max: 1 << 30 }), missing: fc.subarray(PATHS), loss: fc.boolean() }).map(
        ({ seed, missing, loss }): Cmd => ({
          check: () => true,
          run: (_m, r) => {
            let x = seed;
            const g: Record<string, NDArray | null> = {};
            for (const p of PATHS) {
              const shape = SHAPES[p] as number[];
              g[p] = missing.includes(p) ? null : array(dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((x = (Math.imul(x, 69069) + 1) >>> 0) / 4294967296) - 0.5));
            }
            const f = upd(loss);
            let ea: unknown = null;
            let eb: unknown = null;
            try {
              r.spec = loss ? f(r.spec, false) : f(setGrads(r.spec, g), false);
            } catch (e) {
              ea = e;
            }
            try {
              r.backend = loss ? f(r.backend, true) : f(setGrads(r.backend, g), true);
            } catch (e) {
              eb = e;
            }
            if ((ea === null) !== (eb === null)) throw new Mismatch({ what: "one side raised", clause: def.clause, detail: `spec: ${String(ea)}, backend: ${String(eb)}` });
            if (ea instanceof OptspecError && eb instanceof OptspecError) {
              r.spec = ea.partial as OptimizerState;
              r.backend = eb.partial as OptimizerState;
            }
            compareStates(r.spec, r.backend, tol, def.clause);
          },
          toString: () => `update(${loss ? "lossfun" : `grads seed=${seed}, none for [${missing.join(", ")}]`})`,
        }),
      );
      const enable = fc.tuple(fc.constantFrom(...PATHS), fc.boolean()).map(([p, on]): Cmd => ({ check: () => true, run: (_m, r) => both(r, (s) => setEnabled(s, p, on)), toString: () => `setEnabled(${p}, ${on})` }));
      const hookSpecs: HookSpec[] = [
        { kind: "WeightDecay", args: { rate: 0.01 } },
        { kind: "Lasso", args: { rate: 0.005 } },
        { kind: "GradientHardClipping", args: { lower_bound: -0.3, upper_bound: 0.2 } },
        { kind: "GradientClipping", args: { threshold: 0.7 } },
        { kind: "GradientLARS", args: { threshold: 0.01, weight_decay: 0.001, eps: 1e-9 } },
        { kind: "GradientNoise", args: { eta: 0.05, noise: { name: "exponential_decay_noise", seed: 3 } } },
      ];
      const hook = fc.tuple(fc.constantFrom(...hookSpecs), fc.constantFrom("pre", "post"), fc.constantFrom<"optimizer" | string>("optimizer", ...PATHS)).map(([h, timing, target]): Cmd => ({
        check: () => true,
        run: (_m, r) => both(r, (s) => addHook(s, h, { timing }, target === "optimizer" ? "optimizer" : { rule: target })),
        toString: () => `addHook(${h.kind}, ${timing}, ${target})`,
      }));
      const unhook = fc.constantFrom(...hookSpecs.map((h) => h.kind)).map((name): Cmd => ({ check: () => true, run: (_m, r) => both(r, (s) => removeHook(s, name)), toString: () => `removeHook(${name})` }));
      const hyper = hyperparamsArb(def).chain((hp) => fc.constantFrom(...Object.entries(hp))).map(([name, value]): Cmd => ({
        check: () => true,
        run: (_m, r) => both(r, (s) => setHyperparam(s, name, value)),
        toString: () => `setHyperparam(${name}, ${String(value)})`,
      }));
      const epoch = fc.constant<Cmd>({ check: () => true, run: (_m, r) => both(r, (s) => newEpoch(s)), toString: () => "newEpoch()" });
      const scale = fc.constantFrom(8, 1000).map((v): Cmd => ({ check: () => true, run: (_m, r) => both(r, (s) => setLossScale(s, v)), toString: () => `setLossScale(${v})` }));
      // Save mid-run and continue from the loaded copy: losslessly, or through Chainer's npz into the
      // same optimizer (Chainer restores t, epoch and states; everything else stays as it was).
      const saveLoad = fc.constantFrom("lossless", "chainer-npz").map((how): Cmd => ({
        check: () => true,
        run: (_m, r) =>
          both(r, (s) => (how === "lossless" ? loadLossless(saveLossless(s)) : loadNpz(s, saveNpz(s, { compress: true }), { strict: false }))),
        toString: () => `saveLoad(${how})`,
      }));
      return fc.property(fc.integer({ min: 1, max: 1 << 30 }), fc.commands([step, step, enable, hook, unhook, hyper, epoch, scale, saveLoad], { maxCommands: 12, ...(ctx.replayPath !== undefined ? { replayPath: ctx.replayPath } : {}) }), (seed, cmds) => {
        const s0 = initial(def, dtype, seed);
        fc.modelRun(() => ({ model: {}, real: { spec: s0, backend: s0 } }), cmds);
      });
    },
  };
}

export function trajectoryChecks(): Check[] {
  const out: Check[] = [];
  for (const dtype of ["float32", "float64"] as Dtype[]) for (const def of Object.values(OPTIMIZERS)) out.push(trajectoryCheck(def, dtype));
  return out;
}
