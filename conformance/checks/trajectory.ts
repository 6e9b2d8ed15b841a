/**
 * Trajectory checks (model-based, `fc.commands`): the spec and a resident run of the backend
 * (`backends/resident`) run the same command sequence on the same optimizer; after every command
 * the run's `snapshot()` must equal the spec's state (bit for bit for an exact backend): every
 * parameter, gradient and state array, and `t`, `epoch`, rule counters, extras, hooks and loss
 * scale. Failed commands must fail on both sides and leave both in the same (Chainer's partial)
 * state. Asynchronous backends run the same commands, awaited.
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
import type { AnyBackend } from "../../backends/contract.js";
import { ResidentRun } from "../../backends/resident/run.js";
import { type Job, runAsync, runSync, value } from "../../backends/resident/job.js";
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
    params: [
      { name: "a", dtype, shape: [5] },
      { name: "d", dtype, shape: [17] },
    ],
    children: [
      {
        name: "b",
        link: {
          kind: "link" as const,
          params: [
            { name: "W", dtype, shape: [2, 3] },
            { name: "c", dtype, shape: [1] },
          ],
          children: [],
        },
      },
    ],
  };
  const data: Record<string, NDArray> = {};
  for (const p of PATHS) {
    const shape = SHAPES[p] as number[];
    data[p] = array(dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rnd));
  }
  return setup(createOptimizer(def.name), createLink(structure, data));
}

interface Sides {
  spec: OptimizerState;
  run: ResidentRun;
}

/** Everything but the tensors, as comparable text. */
function machine(s: OptimizerState): string {
  const rules = Object.entries(s.rules).map(([p, r]) => [
    p,
    r.t,
    r.enabled,
    r.hyperparam,
    r.hooks,
    r.useFp32Update,
    r.extras,
  ]);
  return JSON.stringify([
    s.optimizer,
    s.hyperparam,
    s.t,
    s.epoch,
    s.useAutoNewEpoch,
    s.hooks,
    s.useFp32Update,
    s.lossScale,
    s.useCleargrads,
    rules,
  ]);
}

function compareStates(a: OptimizerState, b: OptimizerState, tol: number, kernelClause: string): void {
  if (a.t !== b.t) throw new Mismatch({ what: "t", clause: "update.sequence", detail: `${b.t} vs ${a.t}` });
  for (const p of PATHS) {
    const pa = a.target!.params[p]!;
    const pb = b.target!.params[p]!;
    expectClose(`param ${p}`, kernelClause, pa.data!, pb.data!, tol);
    if ((pa.grad === null) !== (pb.grad === null))
      throw new Mismatch({ what: `grad ${p} presence`, clause: "hooks.call.reallocate" });
    if (pa.grad && pb.grad) expectClose(`grad ${p}`, "hooks.call.order", pa.grad, pb.grad, tol);
    if (pa.gradValid !== pb.gradValid || pa.lossScale !== pb.lossScale)
      throw new Mismatch({ what: `grad ${p} flags`, clause: "rule.update.unscale" });
    const ra = a.rules[p]!;
    const rb = b.rules[p]!;
    if (ra.t !== rb.t)
      throw new Mismatch({ what: `rule ${p} t`, clause: "rule.update.t", detail: `${rb.t} vs ${ra.t}` });
    if ((ra.state === null) !== (rb.state === null))
      throw new Mismatch({ what: `rule ${p} state presence`, clause: "rule.update.lazy-state" });
    if (Object.keys(ra.state ?? {}).join() !== Object.keys(rb.state ?? {}).join())
      throw new Mismatch({ what: `rule ${p} state keys`, clause: "rule.update.lazy-state" });
    for (const [k, v] of Object.entries(ra.state ?? {}))
      expectClose(`rule ${p} state.${k}`, kernelClause, v, rb.state![k]!, tol);
  }
  const ma = machine(a);
  const mb = machine(b);
  if (ma !== mb)
    throw new Mismatch({
      what: "state machine (counters, hooks, extras, loss scale)",
      clause: "update.sequence",
      detail: `${mb} vs ${ma}`,
    });
}

/** One command: its label, what it does to the spec's state, and what it does to the run. */
interface Cmd {
  readonly label: string;
  readonly clause: string;
  spec(s: OptimizerState): OptimizerState;
  run(side: Sides): Job<void>;
}

/** A state-machine command: a spec function that reads no tensor data, applied on both sides. */
function pure(label: string, f: (s: OptimizerState) => OptimizerState): Cmd {
  return {
    label,
    clause: "update.sequence",
    spec: f,
    // oxlint-disable-next-line require-yield -- a check step is a generator by contract; this one yields no promises
    *run(side) {
      side.run.command(f);
    },
  };
}

/** Run one command on both sides, then compare. Errors must agree; update errors leave Chainer's partial state. */
function* runBoth(cmd: Cmd, side: Sides, tol: number, kernelClause: string): Job<void> {
  let ea: unknown = null;
  let eb: unknown = null;
  let na = side.spec;
  try {
    na = cmd.spec(side.spec);
  } catch (e) {
    ea = e;
    if (e instanceof OptspecError && cmd.clause === kernelClause && e.partial !== undefined)
      na = e.partial as OptimizerState;
  }
  try {
    yield* cmd.run(side);
  } catch (e) {
    eb = e;
  }
  if ((ea === null) !== (eb === null)) {
    throw new Mismatch({
      what: "one side raised",
      clause: ea instanceof OptspecError ? ea.clause : eb instanceof OptspecError ? eb.clause : cmd.clause,
      detail: `spec: ${String(ea)}, backend: ${String(eb)}`,
    });
  }
  side.spec = na;
  const snap = yield* value(side.run.snapshot());
  compareStates(side.spec, snap, tol, kernelClause);
  if (ea instanceof OptspecError && eb instanceof OptspecError && ea.partial !== undefined) {
    // The error's partial state (read back) is the run's state.
    compareStates(ea.partial as OptimizerState, eb.partial as OptimizerState, tol, kernelClause);
  }
}

function commandArbs(def: OptimizerDef, dtype: Dtype, backend: AnyBackend): fc.Arbitrary<Cmd>[] {
  const step = fc
    .record({ seed: fc.integer({ min: 1, max: 1 << 30 }), missing: fc.subarray(PATHS), loss: fc.boolean() })
    .map(({ seed, missing, loss }): Cmd => {
      let x = seed;
      const g: Record<string, NDArray | null> = {};
      for (const p of PATHS) {
        const shape = SHAPES[p] as number[];
        g[p] = missing.includes(p)
          ? null
          : array(
              dtype,
              shape,
              Array.from(
                { length: shape.reduce((a, b) => a * b, 1) },
                () => (x = (Math.imul(x, 69069) + 1) >>> 0) / 4294967296 - 0.5,
              ),
            );
      }
      return {
        label: `update(${loss ? "lossfun" : `grads seed=${seed}, none for [${missing.join(", ")}]`})`,
        clause: def.clause,
        spec: (s) => (loss ? update(s, goldenLoss) : update(setGrads(s, g))),
        *run(side) {
          if (!loss) yield* value(side.run.setGrads(g));
          yield* value(side.run.update(loss ? goldenLoss : undefined));
        },
      };
    });
  const enable = fc
    .tuple(fc.constantFrom(...PATHS), fc.boolean())
    .map(([p, on]) => pure(`setEnabled(${p}, ${on})`, (s) => setEnabled(s, p, on)));
  const hookSpecs: HookSpec[] = [
    { kind: "WeightDecay", args: { rate: 0.01 } },
    { kind: "Lasso", args: { rate: 0.005 } },
    { kind: "GradientHardClipping", args: { lower_bound: -0.3, upper_bound: 0.2 } },
    { kind: "GradientClipping", args: { threshold: 0.7 } },
    { kind: "GradientLARS", args: { threshold: 0.01, weight_decay: 0.001, eps: 1e-9 } },
    { kind: "GradientNoise", args: { eta: 0.05, noise: { name: "exponential_decay_noise", seed: 3 } } },
  ];
  const hook = fc
    .tuple(
      fc.constantFrom(...hookSpecs),
      fc.constantFrom("pre", "post"),
      fc.constantFrom<string>("optimizer", ...PATHS),
    )
    .map(([h, timing, target]) =>
      pure(`addHook(${h.kind}, ${timing}, ${target})`, (s) =>
        addHook(s, h, { timing }, target === "optimizer" ? "optimizer" : { rule: target }),
      ),
    );
  const unhook = fc
    .constantFrom(...hookSpecs.map((h) => h.kind))
    .map((name) => pure(`removeHook(${name})`, (s) => removeHook(s, name)));
  const hyper = hyperparamsArb(def)
    .chain((hp) => fc.constantFrom(...Object.entries(hp)))
    .map(([name, v]) => pure(`setHyperparam(${name}, ${String(v)})`, (s) => setHyperparam(s, name, v)));
  const epoch = fc.constant(pure("newEpoch()", (s) => newEpoch(s)));
  const scale = fc.constantFrom(8, 1000).map((v) => pure(`setLossScale(${v})`, (s) => setLossScale(s, v)));
  // Save mid-run and continue from the loaded copy: losslessly, or through Chainer's npz into the
  // same optimizer (Chainer restores t, epoch and states; everything else stays as it was). The
  // run is saved from its snapshot and a new run is created from what was loaded.
  const saveLoad = fc.constantFrom("lossless", "chainer-npz").map((how): Cmd => {
    const f = (s: OptimizerState) =>
      how === "lossless"
        ? loadLossless(saveLossless(s))
        : loadNpz(s, saveNpz(s, { compress: true }), { strict: false });
    return {
      label: `saveLoad(${how})`,
      clause: "serialization.lossless.complete",
      spec: f,
      *run(side) {
        const loaded = f(yield* value(side.run.snapshot()));
        const next = yield* value(ResidentRun.create(loaded, backend));
        side.run.dispose();
        side.run = next;
      },
    };
  });
  return [step, step, enable, hook, unhook, hyper, epoch, scale, saveLoad];
}

export function trajectoryCheck(def: OptimizerDef, dtype: Dtype): Check {
  const kernel = def.kernel ?? def.name;
  return {
    id: `trajectory/${def.name}/${dtype}`,
    group: "trajectories",
    kernel,
    dtype,
    clauses: [
      "update.sequence",
      "step.program",
      "serialization.lossless.complete",
      "rule.update.order",
      "rule.update.disabled",
      "hooks.call.order",
      "hyperparam.inherit",
      "update.zero-grad",
      "loss-scale.static.positive",
      "rule.update.unscale",
    ],
    applies: (b) =>
      !b.dtypes.includes(dtype)
        ? `backend does not compute ${dtype}`
        : b.optimizers[kernel] === undefined
          ? `no ${kernel} kernel`
          : null,
    property: (ctx) => {
      const backend = ctx.backend;
      const tol = allowedUlp(backend, kernel);
      const arbs = commandArbs(def, dtype, backend);
      const seedArb = fc.integer({ min: 1, max: 1 << 30 });
      // A failing command sequence replays only with its own replay path.
      const commandOptions = {
        maxCommands: 12,
        ...(ctx.replayPath !== undefined ? { replayPath: ctx.replayPath } : {}),
      };
      if (backend.mode === "sync") {
        const cmds = fc.commands(
          arbs.map((a) =>
            a.map((c): fc.Command<object, Sides> => ({
              check: () => true,
              run: (_m, side) => runSync(runBoth(c, side, tol, def.clause), backend.name),
              toString: () => c.label,
            })),
          ),
          commandOptions,
        );
        return fc.property(seedArb, cmds, (seed, cs) => {
          const s0 = initial(def, dtype, seed);
          fc.modelRun(() => ({ model: {}, real: { spec: s0, run: ResidentRun.createSync(s0, backend) } }), cs);
        });
      }
      const cmds = fc.commands(
        arbs.map((a) =>
          a.map((c): fc.AsyncCommand<object, Sides> => ({
            check: () => true,
            run: (_m, side) => runAsync(runBoth(c, side, tol, def.clause)),
            toString: () => c.label,
          })),
        ),
        commandOptions,
      );
      return fc.asyncProperty(seedArb, cmds, async (seed, cs) => {
        const s0 = initial(def, dtype, seed);
        const run = await ResidentRun.create(s0, backend);
        await fc.asyncModelRun(() => ({ model: {}, real: { spec: s0, run } }), cs);
      });
    },
  };
}

export function trajectoryChecks(): Check[] {
  const out: Check[] = [];
  for (const dtype of ["float32", "float64"] as Dtype[])
    for (const def of Object.values(OPTIMIZERS)) out.push(trajectoryCheck(def, dtype));
  return out;
}
