/**
 * One kernel call at a time on a backend, and the spec's state machine on those calls: a
 * `ComputeOverride` built from a backend. Each function is a job (`resident/job.ts`) that `…On`
 * runs on a synchronous backend. For stepping a model (and for asynchronous backends), use a
 * resident run (`resident/`), which keeps everything in the backend.
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
import type { AnyBackend, HookSegment } from "./contract.js";
import { type Job, runSync, value } from "./resident/job.js";

function* upload(backend: AnyBackend, a: NDArray): Job<unknown> {
  const buf = backend.memory.alloc(a.dtype, a.data.length);
  yield* value(backend.memory.write(buf, a.data, 0));
  return buf;
}

function* download(backend: AnyBackend, buf: unknown, like: NDArray): Job<NDArray> {
  const data = yield* value(backend.memory.read(buf, 0, like.data.length));
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

function* optimizerUpdateJob(backend: AnyBackend, def: OptimizerDef, call: UpdateCall): Job<UpdateResult | undefined> {
  const kernel = backend.optimizers[def.kernel ?? def.name];
  if (kernel === undefined || !computes(backend, call.param.dtype) || call.grad.dtype !== call.param.dtype)
    return undefined;
  // A 0-d parameter computes in float64 under numpy 1.x (numerics.promotion.scalars): kernels see
  // flat segments and cannot know, so the spec computes it.
  if (call.param.shape.length === 0) return undefined;
  for (const s of Object.values(call.state))
    if (s.dtype !== call.param.dtype || s.data.length !== call.param.data.length) return undefined;
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
  const param = yield* upload(backend, call.param);
  const grad = yield* upload(backend, call.grad);
  const state: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(call.state)) state[k] = yield* upload(backend, v);
  yield* value(
    kernel.update(call.param.dtype, { param, grad, state }, [
      { offset: 0, length: call.param.data.length, hp: call.hp, t: call.t, extras: call.extras },
    ]),
  );
  backend.memory.free?.(grad);
  const outState: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(call.state)) outState[k] = yield* download(backend, state[k], v);
  return {
    param: yield* download(backend, param, call.param),
    state: outState,
    ...(dry.extras ? { extras: dry.extras } : {}),
  };
}

/** The scalars of a per-parameter hook, from its description and the backend's reductions over the uploaded buffers. */
function* hookScalars(
  desc: PerParamKernelDesc,
  call: PerParamCall,
  backend: AnyBackend,
  pb: unknown,
  gb: unknown,
): Job<HookSegment["scalars"]> {
  const p = call.param.data as NDArray;
  const g = call.param.grad as NDArray;
  const reduce = (buf: unknown, a: NDArray) => value(backend.reductions.sumSquares(a.dtype, buf, 0, a.data.length));
  const paramSumSquares = desc.reductions.includes("param") ? yield* reduce(pb, p) : NaN;
  const gradSumSquares = desc.reductions.includes("grad") ? yield* reduce(gb, g) : NaN;
  return desc.scalarsOf({
    args: call.args,
    lossScale: call.param.lossScale,
    dtype: g.dtype,
    paramSumSquares,
    gradSumSquares,
  });
}

function* perParamHookJob(backend: AnyBackend, kind: HookKind, call: PerParamCall): Job<PerParamResult | undefined> {
  const desc = kind.kernel;
  if (desc === undefined || desc.scope !== "param") return undefined;
  const hk = backend.hooks[desc.name];
  const { param } = call;
  if (hk === undefined || param.grad === null || !computes(backend, param.grad.dtype) || param.grad.shape.length === 0)
    return undefined;
  const g = param.grad;
  const one = (scalars: HookSegment["scalars"]): HookSegment[] => [{ offset: 0, length: g.data.length, scalars }];
  if (desc.noise !== undefined) {
    // The noise is drawn by the spec; the kernel adds it (it reads no parameter, so grad stands in).
    const drawn = desc.noise(call, g.shape, g.dtype);
    const gb = yield* upload(backend, g);
    const nb = yield* upload(backend, drawn.noise);
    yield* value(
      hk.apply(
        g.dtype,
        { param: gb, grad: gb, noise: nb },
        one(
          desc.scalarsOf({
            args: call.args,
            lossScale: param.lossScale,
            dtype: g.dtype,
            paramSumSquares: NaN,
            gradSumSquares: NaN,
          }),
        ),
      ),
    );
    backend.memory.free?.(nb);
    return { grad: yield* download(backend, gb, g), state: drawn.state };
  }
  if (param.data === null || param.data.dtype !== g.dtype) return undefined;
  const pb = yield* upload(backend, param.data);
  const gb = yield* upload(backend, g);
  yield* value(hk.apply(g.dtype, { param: pb, grad: gb }, one(yield* hookScalars(desc, call, backend, pb, gb))));
  backend.memory.free?.(pb);
  return { grad: yield* download(backend, gb, g) };
}

function* wholeHookJob(backend: AnyBackend, kind: HookKind, call: WholeCall): Job<WholeResult | undefined> {
  const desc = kind.kernel;
  if (desc === undefined || desc.scope !== "whole") return undefined;
  const grads = call.params.flatMap(({ path, param }) => (param.grad === null ? [] : [{ path, g: param.grad }]));
  if (grads.some(({ g }) => !computes(backend, g.dtype) || g.shape.length === 0)) return undefined;
  const bufs: unknown[] = [];
  for (const { g } of grads) bufs.push(yield* upload(backend, g));
  const squares: number[] = [];
  for (const [i, { g }] of grads.entries())
    squares.push(yield* value(backend.reductions.sumSquares(g.dtype, bufs[i], 0, g.data.length)));
  const { rate, warnings } = desc.rateOf(call.args, squares);
  if (rate === null) return { grads: {}, warnings: [...warnings] };
  const out: Record<string, NDArray> = {};
  for (const [i, { path, g }] of grads.entries()) {
    yield* value(backend.reductions.scale(g.dtype, bufs[i], 0, g.data.length, rate));
    out[path] = yield* download(backend, bufs[i], g);
  }
  return { grads: out, warnings: [...warnings] };
}

/** One optimizer kernel call on one parameter (undefined where the spec must compute); synchronous backends. */
export function optimizerUpdateOn(backend: AnyBackend, def: OptimizerDef, call: UpdateCall): UpdateResult | undefined {
  return runSync(optimizerUpdateJob(backend, def, call), backend.name);
}
/** One per-parameter hook kernel call (undefined where the spec must compute); synchronous backends. */
export function perParamHookOn(backend: AnyBackend, kind: HookKind, call: PerParamCall): PerParamResult | undefined {
  return runSync(perParamHookJob(backend, kind, call), backend.name);
}
/** A whole hook (norms, rate, rescale) on the backend; synchronous backends. */
export function wholeHookOn(backend: AnyBackend, kind: HookKind, call: WholeCall): WholeResult | undefined {
  return runSync(wholeHookJob(backend, kind, call), backend.name);
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
export function updateOn(
  backend: AnyBackend,
): (state: OptimizerState, lossfun?: LossFunction, options?: UpdateOptions) => OptimizerState {
  const compute = backendCompute(backend);
  return (state, lossfun, options = {}) => update(state, lossfun, { ...options, compute });
}
