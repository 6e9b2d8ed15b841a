/**
 * Run the spec's state machine on a backend's kernels: a `ComputeOverride` built from a backend.
 * Everything but the arithmetic stays in the spec: before each kernel call the spec's own update
 * runs on zero-length arrays, which raises exactly where Chainer raises (eps checks, missing state,
 * steps not started) and yields the rule's next extras (MSVAG's beta_power); a call the spec
 * rejects is left entirely to the spec so that its partial effects are Chainer's.
 */
import {
  type ComputeOverride,
  type Dtype,
  type NDArray,
  type OptimizerDef,
  type UpdateCall,
  type UpdateResult,
  type HookKind,
  type PerParamCall,
  type PerParamResult,
  type WholeCall,
  type WholeResult,
  type OptimizerState,
  type LossFunction,
  type UpdateOptions,
  clippingRate,
  drawNoise,
  larsRate,
  update,
  weightDecayRate,
} from "../spec/index.js";
import type { AnyBackend, HookSegment, MaybePromise } from "./contract.js";

function sync<T>(v: MaybePromise<T>, backend: AnyBackend): T {
  if (v instanceof Promise) throw new TypeError(`backend ${backend.name} returned a promise; the synchronous engine needs a "sync" backend`);
  return v;
}

function upload(backend: AnyBackend, a: NDArray): unknown {
  const buf = backend.memory.alloc(a.dtype, a.data.length);
  sync(backend.memory.write(buf, a.data, 0), backend);
  return buf;
}

function download(backend: AnyBackend, buf: unknown, like: NDArray): NDArray {
  const data = sync(backend.memory.read(buf, 0, like.data.length), backend);
  backend.memory.free?.(buf);
  return { dtype: like.dtype, shape: like.shape, data: Float64Array.from(data) };
}

function empty(a: NDArray): NDArray {
  return { dtype: a.dtype, shape: [0], data: new Float64Array(0) };
}

/** Whether the backend computes this dtype (float16 and others run through the spec). */
function computes(backend: AnyBackend, dtype: Dtype): boolean {
  return backend.dtypes.includes(dtype);
}

export function optimizerUpdateOn(backend: AnyBackend, def: OptimizerDef, call: UpdateCall): UpdateResult | undefined {
  const kernel = backend.optimizers[def.kernel ?? def.name];
  if (kernel === undefined || !computes(backend, call.param.dtype) || call.grad.dtype !== call.param.dtype) return undefined;
  // A 0-d parameter computes in float64 under numpy 1.x (numerics.promotion.scalars): kernels see
  // flat segments and cannot know, so the spec computes it.
  if (call.param.shape.length === 0) return undefined;
  for (const s of Object.values(call.state)) if (s.dtype !== call.param.dtype || s.data.length !== call.param.data.length) return undefined;
  let dry: UpdateResult;
  try {
    const state: Record<string, NDArray> = {};
    for (const [k, v] of Object.entries(call.state)) state[k] = empty(v);
    dry = def.update({ ...call, param: empty(call.param), grad: empty(call.grad), state });
  } catch {
    return undefined; // the spec raises (with Chainer's partial effect) on the real call
  }
  if (Object.keys(dry.state).join() !== Object.keys(call.state).join()) return undefined;
  // A state whose dtype the update changes (numpy widening, e.g. SMORMS3 with an eps beyond
  // float32) cannot live in the kernel's buffers.
  if (Object.values(dry.state).some((v) => v.dtype !== call.param.dtype)) return undefined;
  const param = upload(backend, call.param);
  const grad = upload(backend, call.grad);
  const state: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(call.state)) state[k] = upload(backend, v);
  sync(kernel.update(call.param.dtype, { param, grad, state }, [{ offset: 0, length: call.param.data.length, hp: call.hp, t: call.t, extras: call.extras }]), backend);
  backend.memory.free?.(grad);
  const outState: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(call.state)) outState[k] = download(backend, state[k], v);
  return { param: download(backend, param, call.param), state: outState, ...(dry.extras ? { extras: dry.extras } : {}) };
}

/** The spec-computed scalars of a per-parameter hook, given the parameter and gradient already uploaded. */
function hookScalars(kind: HookKind, call: PerParamCall, backend: AnyBackend, pb: unknown, gb: unknown): HookSegment["scalars"] | undefined {
  const { args, param } = call;
  const p = param.data as NDArray;
  const g = param.grad as NDArray;
  switch (kind.kind) {
    case "WeightDecay":
      return { rate: weightDecayRate(args, param.lossScale) };
    case "Lasso":
      return { rate: args["rate"] as number };
    case "GradientHardClipping":
      return { lower: (args["lower_bound"] as number | null) ?? null, upper: (args["upper_bound"] as number | null) ?? null };
    case "GradientLARS": {
      const pSq = sync(backend.reductions.sumSquares(p.dtype, pb, 0, p.data.length), backend);
      const gSq = sync(backend.reductions.sumSquares(g.dtype, gb, 0, g.data.length), backend);
      return { weight_decay: args["weight_decay"] as number, rate: larsRate(args, p.dtype, pSq, gSq) };
    }
    default:
      return undefined;
  }
}

export function perParamHookOn(backend: AnyBackend, kind: HookKind, call: PerParamCall): PerParamResult | undefined {
  const hk = backend.hooks[kind.kind];
  const { param } = call;
  if (hk === undefined || param.grad === null || !computes(backend, param.grad.dtype) || param.grad.shape.length === 0) return undefined;
  if (kind.kind === "GradientNoise") {
    const g = param.grad;
    const drawn = drawNoise(call.args, call.state, call.rule, g.shape, g.dtype);
    const gb = upload(backend, g);
    const nb = upload(backend, drawn.noise);
    sync(hk.apply(g.dtype, { param: gb, grad: gb, noise: nb }, [{ offset: 0, length: g.data.length, scalars: {} }]), backend);
    return { grad: download(backend, gb, g), state: drawn.state };
  }
  if (param.data === null || param.data.dtype !== param.grad.dtype) return undefined;
  const pb = upload(backend, param.data);
  const gb = upload(backend, param.grad);
  const scalars = hookScalars(kind, call, backend, pb, gb);
  if (scalars === undefined) {
    backend.memory.free?.(pb);
    backend.memory.free?.(gb);
    return undefined;
  }
  sync(hk.apply(param.grad.dtype, { param: pb, grad: gb }, [{ offset: 0, length: param.grad.data.length, scalars }]), backend);
  backend.memory.free?.(pb);
  return { grad: download(backend, gb, param.grad) };
}

export function wholeHookOn(backend: AnyBackend, kind: HookKind, call: WholeCall): WholeResult | undefined {
  if (kind.kind !== "GradientClipping") return undefined;
  const grads = call.params.flatMap(({ path, param }) => (param.grad === null ? [] : [{ path, g: param.grad }]));
  if (grads.some(({ g }) => !computes(backend, g.dtype) || g.shape.length === 0)) return undefined;
  const bufs = grads.map(({ g }) => upload(backend, g));
  const squares = grads.map(({ g }, i) => sync(backend.reductions.sumSquares(g.dtype, bufs[i], 0, g.data.length), backend));
  const rate = clippingRate(call.args["threshold"] as number, squares);
  const warnings = rate === Infinity ? ["RuntimeWarning: divide by zero encountered in scalar divide"] : [];
  if (rate >= 1) return { grads: {}, warnings };
  const out: Record<string, NDArray> = {};
  grads.forEach(({ path, g }, i) => {
    sync(backend.reductions.scale(g.dtype, bufs[i], 0, g.data.length, rate), backend);
    out[path] = download(backend, bufs[i], g);
  });
  return { grads: out, warnings };
}

/** @clause compute.override */
export function backendCompute(backend: AnyBackend): ComputeOverride {
  return {
    optimizerUpdate: (def, call) => optimizerUpdateOn(backend, def, call),
    perParamHook: (kind, call) => perParamHookOn(backend, kind, call),
    wholeHook: (kind, call) => wholeHookOn(backend, kind, call),
  };
}

/** The spec's `update`, computing on a backend. */
export function updateOn(backend: AnyBackend): (state: OptimizerState, lossfun?: LossFunction, options?: UpdateOptions) => OptimizerState {
  const compute = backendCompute(backend);
  return (state, lossfun, options = {}) => update(state, lossfun, { ...options, compute });
}
