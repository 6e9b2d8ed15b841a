/**
 * The state-machine rows: a whole `update()` of a resident run (backends/resident) over a model of
 * many small parameters, next to the raw multi-segment calls that step needs, on the same backend,
 * layout and data, timed in the same run (`raw-calls` rows; the `rawCallsRatio` of a state-machine
 * row is its time over theirs). Scenarios:
 * - an optimizer alone (Adam, MomentumSGD, SGD): one kernel call of `tensors` segments;
 * - Adam with WeightDecay and GradientClipping: the hook kernel call, one sumSquares and one scale
 *   per parameter (the clipping rate is below 1 at every step), the Adam call;
 * - Adam under dynamic loss scaling: one allFinite per parameter, the Adam call.
 * Gradients are written once and stay (no backward pass is timed).
 */
import {
  type AnyBackend,
  type HookSegment,
  type OptimizerBuffers,
  type Segment,
  syncResult,
} from "../backends/contract.js";
import { ResidentRun } from "../backends/resident/run.js";
import {
  type Dtype,
  type HookSpec,
  type LinkStructure,
  type NDArray,
  type OptimizerDef,
  BUILTIN_HOOKS,
  addHook,
  createLink,
  createOptimizer,
  lossScaling,
  setGrads,
  setup,
} from "../spec/index.js";
import { type Case, parts } from "./case.js";
import { optimizerBytes } from "./bytes.js";
import { RULE_T, hyperparamsFor, stateRange, uniform } from "./workload.js";

export interface Scenario {
  readonly def: OptimizerDef;
  /** The row's variant: the optimizer's name, with "+hooks" or "+loss-scale". */
  readonly variant: string;
  readonly hooks: readonly HookSpec[];
  readonly dynamicLossScale: boolean;
}

/** WeightDecay, then GradientClipping (threshold 1: gradients of 1,000 × 1,024 uniform values are far above it). */
export const BENCH_HOOKS: readonly HookSpec[] = [
  { kind: "WeightDecay", args: { rate: 1e-4 } },
  { kind: "GradientClipping", args: { threshold: 1.0 } },
];

export function scenarios(defs: readonly OptimizerDef[]): Scenario[] {
  const out: Scenario[] = defs.map((def) => ({ def, variant: def.name, hooks: [], dynamicLossScale: false }));
  const adam = defs.find((d) => d.name === "Adam");
  if (adam !== undefined) {
    out.push({ def: adam, variant: "Adam+hooks", hooks: BENCH_HOOKS, dynamicLossScale: false });
    out.push({ def: adam, variant: "Adam+loss-scale", hooks: [], dynamicLossScale: true });
  }
  return out;
}

function applies(backend: AnyBackend, s: Scenario, dtype: Dtype): boolean {
  if (backend.optimizers[s.def.kernel ?? s.def.name] === undefined || !backend.dtypes.includes(dtype)) return false;
  return s.hooks.every((h) => {
    const k = BUILTIN_HOOKS[h.kind as keyof typeof BUILTIN_HOOKS]?.kernel;
    return k !== undefined && (k.scope === "whole" || backend.hooks[k.name] !== undefined);
  });
}

function meta(backend: AnyBackend, s: Scenario, dtype: Dtype, tensors: number, length: number) {
  return {
    backend: backend.name,
    kernel: s.def.kernel ?? s.def.name,
    variant: s.variant,
    category: "optimizer" as const,
    dtype,
    elements: tensors * length,
    tensors,
    bytesPerElement: optimizerBytes(s.def, dtype),
  };
}

/** The whole `update()` of a resident run of the model. */
export function stateMachineCase(
  backend: AnyBackend,
  s: Scenario,
  dtype: Dtype,
  tensors: number,
  length: number,
): Case | undefined {
  if (!applies(backend, s, dtype)) return undefined;
  return {
    via: "state-machine",
    ...meta(backend, s, dtype, tensors, length),
    note: `resident run update() (${[s.def.name, ...s.hooks.map((h) => h.kind), ...(s.dynamicLossScale ? ["dynamic loss scale"] : [])].join(" + ")})`,
    async prepare() {
      const names = Array.from({ length: tensors }, (_, i) => `p${String(i).padStart(4, "0")}`);
      const structure: LinkStructure = {
        kind: "link",
        params: names.map((name) => ({ name, dtype, shape: [length] })),
        children: [],
      };
      const arr = (seed: number): NDArray => ({ dtype, shape: [length], data: uniform(length, -1, 1, dtype, seed) });
      const link = createLink(structure, Object.fromEntries(names.map((n, i) => [`/${n}`, arr(1000 + i)])));
      let state = setup(createOptimizer(s.def.name), link);
      for (const h of s.hooks) state = addHook(state, h);
      if (s.dynamicLossScale) state = lossScaling(state, {});
      state = setGrads(state, Object.fromEntries(names.map((n, i) => [`/${n}`, arr(5000 + i)])));
      const run = await ResidentRun.create(state, backend);
      await run.update(); // the states are created at the first update
      return { step: () => run.update(), dispose: () => run.dispose() };
    },
  };
}

/** The raw backend calls the same step needs, on packed buffers of the same layout. */
export function rawCallsCase(
  backend: AnyBackend,
  s: Scenario,
  dtype: Dtype,
  tensors: number,
  length: number,
): Case | undefined {
  if (!applies(backend, s, dtype)) return undefined;
  const kernel = backend.optimizers[s.def.kernel ?? s.def.name]!;
  return {
    via: "raw-calls",
    ...meta(backend, s, dtype, tensors, length),
    note: "the step's multi-segment kernel calls and per-parameter reductions, called directly",
    async prepare() {
      const n = tensors * length;
      const mem = backend.memory;
      const upload = async (values: Float64Array): Promise<unknown> => {
        const b = mem.alloc(dtype, n);
        await mem.write(b, values, 0);
        return b;
      };
      const hp = hyperparamsFor(s.def);
      const keys = Object.keys(s.def.initState({ dtype, shape: [0], data: new Float64Array(0) }, hp));
      const state: Record<string, unknown> = {};
      for (const [i, k] of keys.entries()) state[k] = await upload(uniform(n, ...stateRange(k), dtype, 33 + i));
      const bufs: OptimizerBuffers<unknown> = {
        param: await upload(uniform(n, -1, 1, dtype, 11)),
        grad: await upload(uniform(n, -1, 1, dtype, 22)),
        state,
      };
      const extras = s.def.ruleExtras?.(hp) ?? {};
      const spans = parts(n, tensors);
      const segments: Segment[] = spans.map((p) => ({ ...p, hp, t: RULE_T, extras }));
      const wd = s.hooks.some((h) => h.kind === "WeightDecay") ? backend.hooks["WeightDecay"] : undefined;
      const wdSegs: HookSegment[] = spans.map((p) => ({ ...p, scalars: { rate: 1e-4 } }));
      const clip = s.hooks.some((h) => h.kind === "GradientClipping");
      const red = backend.reductions;
      const step = async (): Promise<void> => {
        if (wd !== undefined) await wd.apply(dtype, bufs, wdSegs);
        if (clip) {
          const squares = await Promise.all(
            spans.map(async (p) => red.sumSquares(dtype, bufs.grad, p.offset, p.length)),
          );
          let sq = 0;
          for (const x of squares) sq += x;
          const rate = 1.0 / Math.sqrt(sq);
          if (rate < 1)
            await Promise.all(spans.map(async (p) => red.scale(dtype, bufs.grad, p.offset, p.length, rate)));
        }
        if (s.dynamicLossScale)
          await Promise.all(spans.map(async (p) => red.allFinite(dtype, bufs.grad, p.offset, p.length)));
        await kernel.update(dtype, bufs, segments);
      };
      const stepSync = (): void => {
        if (wd !== undefined) syncResult(wd.apply(dtype, bufs, wdSegs), "WeightDecay");
        if (clip) {
          let sq = 0;
          for (const p of spans) sq += syncResult(red.sumSquares(dtype, bufs.grad, p.offset, p.length), "sumSquares");
          const rate = 1.0 / Math.sqrt(sq);
          if (rate < 1)
            for (const p of spans) syncResult(red.scale(dtype, bufs.grad, p.offset, p.length, rate), "scale");
        }
        if (s.dynamicLossScale)
          for (const p of spans) syncResult(red.allFinite(dtype, bufs.grad, p.offset, p.length), "allFinite");
        syncResult(kernel.update(dtype, bufs, segments), "update");
      };
      return {
        step: backend.mode === "sync" ? stepSync : step,
        dispose: () => {
          for (const b of [bufs.param, bufs.grad, ...Object.values(state)]) mem.free?.(b);
        },
      };
    },
  };
}
