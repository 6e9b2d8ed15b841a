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
  type PerParamKernelDesc,
  type OptimizerState,
  type LossFunction,
  type UpdateOptions,
  update,
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

/** The scalars of a per-parameter hook, from its description and the backend's reductions over the uploaded buffers. */
function hookScalars(desc: PerParamKernelDesc, call: PerParamCall, backend: AnyBackend, pb: unknown, gb: unknown): HookSegment["scalars"] {
  const p = call.param.data as NDArray;
  const g = call.param.grad as NDArray;
  const reduce = (buf: unknown, a: NDArray): number => sync(backend.reductions.sumSquares(a.dtype, buf, 0, a.data.length), backend);
  return desc.scalarsOf({
    args: call.args,
    lossScale: call.param.lossScale,
    dtype: g.dtype,
    paramSumSquares: desc.reductions.includes("param") ? reduce(pb, p) : NaN,
    gradSumSquares: desc.reductions.includes("grad") ? reduce(gb, g) : NaN,
  });
}

export function perParamHookOn(backend: AnyBackend, kind: HookKind, call: PerParamCall): PerParamResult | undefined {
  const desc = kind.kernel;
  if (desc === undefined || desc.scope !== "param") return undefined;
  const hk = backend.hooks[desc.name];
  const { param } = call;
  if (hk === undefined || param.grad === null || !computes(backend, param.grad.dtype) || param.grad.shape.length === 0) return undefined;
  const g = param.grad;
  const one = (scalars: HookSegment["scalars"]): HookSegment[] => [{ offset: 0, length: g.data.length, scalars }];
  if (desc.noise !== undefined) {
    // The noise is drawn by the spec; the kernel adds it (it reads no parameter, so grad stands in).
    const drawn = desc.noise(call, g.shape, g.dtype);
    const gb = upload(backend, g);
    const nb = upload(backend, drawn.noise);
    sync(hk.apply(g.dtype, { param: gb, grad: gb, noise: nb }, one(desc.scalarsOf({ args: call.args, lossScale: param.lossScale, dtype: g.dtype, paramSumSquares: NaN, gradSumSquares: NaN }))), backend);
    backend.memory.free?.(nb);
    return { grad: download(backend, gb, g), state: drawn.state };
  }
  if (param.data === null || param.data.dtype !== g.dtype) return undefined;
  const pb = upload(backend, param.data);
  const gb = upload(backend, g);
  sync(hk.apply(g.dtype, { param: pb, grad: gb }, one(hookScalars(desc, call, backend, pb, gb))), backend);
  backend.memory.free?.(pb);
  return { grad: download(backend, gb, g) };
}

export function wholeHookOn(backend: AnyBackend, kind: HookKind, call: WholeCall): WholeResult | undefined {
  const desc = kind.kernel;
  if (desc === undefined || desc.scope !== "whole") return undefined;
  const grads = call.params.flatMap(({ path, param }) => (param.grad === null ? [] : [{ path, g: param.grad }]));
  if (grads.some(({ g }) => !computes(backend, g.dtype) || g.shape.length === 0)) return undefined;
  const bufs = grads.map(({ g }) => upload(backend, g));
  const squares = grads.map(({ g }, i) => sync(backend.reductions.sumSquares(g.dtype, bufs[i], 0, g.data.length), backend));
  const { rate, warnings } = desc.rateOf(call.args, squares);
  if (rate === null) return { grads: {}, warnings: [...warnings] };
  const out: Record<string, NDArray> = {};
  grads.forEach(({ path, g }, i) => {
    sync(backend.reductions.scale(g.dtype, bufs[i], 0, g.data.length, rate), backend);
    out[path] = download(backend, bufs[i], g);
  });
  return { grads: out, warnings: [...warnings] };
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
