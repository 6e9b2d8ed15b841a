/**
 * The resident driver: answers a step program's requests from the resident store. Kernel work on a
 * resident parameter is recorded (pending) and answered at once with the same handles; requests
 * whose answer depends on tensor data (finiteness, GradientClipping's norms, a loss function) flush
 * the pending work and ask the backend. Whatever the backend cannot compute (a kernel it lacks, a
 * parameter that is not resident, a call the spec rejects, a dtype that would change) is answered
 * by the spec on that parameter's arrays, read back and written again where they fit.
 */
import {
  type Link,
  type NDArray,
  type Param,
  type PerParamResult,
  type UpdateResult,
  type WholeResult,
  OptspecError,
  astype,
  np,
  zerosLike,
} from "../../spec/index.js";
import type { StepAnswers, StepProgram, StepRequest } from "../../spec/optimizer/step-requests.js";
import { answerPure } from "../../spec/optimizer/step-driver.js";
import { runBackward } from "../../spec/optimizer/loss.js";
import { type Job, values } from "./job.js";
import { type Slot, type Store, ResidentArray, fits } from "./store.js";
import { Pending } from "./pending.js";
import { DryRun } from "./dry-run.js";
import { HookPlans } from "./hook-scalars.js";

type Answer = StepAnswers[StepRequest["op"]];

/** "Not answered on the fast path". */
const SLOW: unique symbol = Symbol("slow");

export class ResidentDriver {
  readonly pending: Pending;
  private readonly dry = new DryRun();
  private readonly plans = new HookPlans();

  constructor(readonly store: Store) {
    this.pending = new Pending(store);
  }

  /** Run a step program to its end; pending work is flushed and awaited before it returns. */
  *drive<R>(program: StepProgram<R>): Job<R> {
    let next = program.next();
    while (!next.done) {
      let answer: unknown;
      let failed = false;
      let error: unknown;
      try {
        // The common requests are answered without a generator; the rest may need the backend's values.
        answer = this.fast(next.value);
        if (answer === SLOW) answer = yield* this.answer(next.value);
      } catch (err) {
        failed = true;
        error = err;
      }
      next = failed ? program.throw(error) : program.next(answer);
    }
    yield* this.pending.flush();
    yield* this.store.drain();
    return next.value;
  }

  private slotOf(path: string): Slot | undefined {
    return this.store.slots.get(path);
  }

  /** Flush pending work, then read a param's resident tensors back. */
  private *plainParam(p: Param): Job<Param> {
    const data = p.data === null ? null : yield* this.store.materialize(p.data);
    const grad = p.grad === null ? null : yield* this.store.materialize(p.grad);
    return data === p.data && grad === p.grad ? p : { ...p, data, grad };
  }

  private *settled(): Job<void> {
    yield* this.pending.flush();
    yield* this.store.drain();
  }

  /** A gradient the spec computed for `path`: unchanged, or kept resident where it fits. */
  private adoptGrad(path: string, g: NDArray | null, plain: NDArray | null, original: NDArray | null): NDArray | null {
    if (g === null) return null;
    if (g === plain) return original;
    return this.store.adopt(g, this.slotOf(path)?.grad);
  }

  /** Answer kernel work on resident parameters by recording it; SLOW for everything else. */
  fast(req: StepRequest): Answer | typeof SLOW {
    switch (req.op) {
      case "update":
        return this.fastUpdate(req) ?? SLOW;
      case "perParamHook":
        return this.fastHook(req) ?? SLOW;
      case "zeros": {
        const slot = this.slotOf(req.path);
        if (slot === undefined || !fits(req.like, slot)) return SLOW;
        this.pending.record({ kind: "fill", slot, round: 0, role: "grad", key: "", value: 0 });
        return slot.grad;
      }
      case "unscale": {
        const slot = this.slotOf(req.path);
        if (slot === undefined || req.grad !== slot.grad) return SLOW;
        this.pending.record({ kind: "divide", slot, round: 0, value: req.scale });
        return slot.grad;
      }
      default:
        return SLOW;
    }
  }

  *answer(req: StepRequest): Job<Answer> {
    switch (req.op) {
      case "backward":
        return yield* this.backward(req);
      case "zeros": {
        const slot = this.slotOf(req.path);
        if (slot === undefined || !fits(req.like, slot)) return zerosLike(req.like);
        this.pending.record({ kind: "fill", slot, round: 0, role: "grad", key: "", value: 0 });
        return slot.grad;
      }
      case "allFinite": {
        if (!req.grads.some(({ grad }) => grad instanceof ResidentArray)) return answerPure(req);
        yield* this.settled();
        const red = this.store.backend.reductions;
        return yield* values(
          req.grads.map(({ grad }) =>
            grad instanceof ResidentArray
              ? red.allFinite(grad.dtype, this.store.bufferOf(grad), grad.slot.offset, grad.slot.length)
              : np.allFinite(grad),
          ),
        );
      }
      case "perParamHook":
        return yield* this.perParamHook(req);
      case "wholeHook":
        return yield* this.wholeHook(req);
      case "initState": {
        const slot = this.slotOf(req.path);
        if (slot === undefined || req.param !== slot.data) {
          return answerPure({ ...req, param: yield* this.plainAfterFlush(req.param) });
        }
        // Initial states are constants (zeros_like / ones_like): the spec's own on one element says which.
        const probe = req.def.initState({ dtype: slot.dtype, shape: [1], data: new Float64Array(1) }, req.hp);
        const out: Record<string, NDArray> = {};
        for (const [k, v] of Object.entries(probe)) {
          if (v.dtype !== slot.dtype || v.data.length !== 1) {
            out[k] = req.def.initState(yield* this.plainAfterFlush(req.param), req.hp)[k] as NDArray;
            continue;
          }
          this.store.buffer(slot.dtype, "state", k);
          this.pending.record({ kind: "fill", slot, round: 0, role: "state", key: k, value: v.data[0] as number });
          out[k] = slot.stateHandle(k);
        }
        return out;
      }
      case "unscale": {
        const slot = this.slotOf(req.path);
        if (slot !== undefined && req.grad === slot.grad) {
          this.pending.record({ kind: "divide", slot, round: 0, value: req.scale });
          return slot.grad;
        }
        const g = answerPure({ ...req, grad: yield* this.plainAfterFlush(req.grad) }) as NDArray;
        return this.store.adopt(g, slot?.grad);
      }
      case "astype": {
        const slot = this.slotOf(req.path);
        const a = astype(yield* this.plainAfterFlush(req.a), req.dtype);
        return slot !== undefined && req.dtype === slot.dtype ? this.store.adopt(a, slot.data) : a;
      }
      case "update":
        return yield* this.update(req);
    }
  }

  private *plainAfterFlush(a: NDArray): Job<NDArray> {
    if (!(a instanceof ResidentArray)) return a;
    yield* this.settled();
    return yield* this.store.read(a);
  }

  private *backward(req: Extract<StepRequest, { op: "backward" }>): Job<Link> {
    yield* this.settled();
    const params: Record<string, Param> = {};
    for (const path in req.link.params) params[path] = yield* this.plainParam(req.link.params[path] as Param);
    const plain: Link = { structure: req.link.structure, params };
    const out = runBackward(plain, req.lossfun, req.lossScale, req.useCleargrads);
    const adopted: Record<string, Param> = {};
    for (const path in out.params) {
      const p = out.params[path] as Param;
      const orig = req.link.params[path] as Param;
      const mat = params[path] as Param;
      const data =
        p.data === mat.data ? orig.data : p.data === null ? null : this.store.adopt(p.data, this.slotOf(path)?.data);
      adopted[path] = { ...p, data, grad: this.adoptGrad(path, p.grad, mat.grad, orig.grad) };
    }
    return { structure: out.structure, params: adopted };
  }

  /** A per-parameter hook on a resident parameter, recorded; undefined when the spec must compute it. */
  private fastHook(req: Extract<StepRequest, { op: "perParamHook" }>): PerParamResult | undefined {
    const { kind, call } = req;
    const desc = kind.kernel;
    const slot = this.slotOf(call.path);
    const p = call.param;
    if (
      desc === undefined ||
      desc.scope !== "param" ||
      slot === undefined ||
      p.grad !== slot.grad ||
      this.store.backend.hooks[desc.name] === undefined
    )
      return undefined;
    if (desc.noise !== undefined) {
      if (this.pending.noisePending(slot)) return undefined; // one pending noise per segment
      const drawn = desc.noise(call, slot.shape, slot.dtype);
      if (drawn.noise.dtype !== slot.dtype || drawn.noise.data.length !== slot.length) return undefined;
      const scalars = desc.scalarsOf({
        args: call.args,
        lossScale: p.lossScale,
        dtype: slot.dtype,
        paramSumSquares: NaN,
        gradSumSquares: NaN,
      });
      this.pending.recordNoise({ kind: "noise", slot, round: 0, name: desc.name, noise: drawn.noise, scalars });
      return { grad: slot.grad, state: drawn.state };
    }
    if (p.data !== slot.data) return undefined;
    const plan = this.plans.planOf(desc, call.args, p.lossScale, slot.dtype);
    this.pending.record({
      kind: "hook",
      slot,
      round: 0,
      name: desc.name,
      plan,
      offset: slot.offset,
      length: slot.length,
      scalars: plan.kind === "fixed" ? plan.scalars : {},
    });
    return { grad: slot.grad };
  }

  private *perParamHook(req: Extract<StepRequest, { op: "perParamHook" }>): Job<PerParamResult> {
    const fast = this.fastHook(req);
    if (fast !== undefined) return fast;
    const { call } = req;
    const p = call.param;
    yield* this.settled();
    const plain = yield* this.plainParam(p);
    const r = answerPure({ ...req, call: { ...call, param: plain } }) as PerParamResult;
    const grad = this.adoptGrad(call.path, r.grad, plain.grad, p.grad);
    return r.state === undefined ? { grad } : { grad, state: r.state };
  }

  private *wholeHook(req: Extract<StepRequest, { op: "wholeHook" }>): Job<WholeResult> {
    const { kind, call } = req;
    const withGrad = call.params.filter(({ param }) => param.grad !== null);
    yield* this.settled();
    const desc = kind.kernel;
    if (
      desc !== undefined &&
      desc.scope === "whole" &&
      withGrad.every(({ param }) => param.grad instanceof ResidentArray)
    ) {
      const red = this.store.backend.reductions;
      const grads = withGrad.map(({ param }) => param.grad as ResidentArray);
      const squares = yield* values(
        grads.map((g) => red.sumSquares(g.dtype, this.store.bufferOf(g), g.slot.offset, g.slot.length)),
      );
      const { rate, warnings } = desc.rateOf(call.args, squares);
      if (rate === null) return { grads: {}, warnings: [...warnings] };
      for (const g of grads)
        this.store.settle(red.scale(g.dtype, this.store.bufferOf(g), g.slot.offset, g.slot.length, rate));
      // Rescaled in place: every gradient is still the same resident array, so none is new.
      return { grads: {}, warnings: [...warnings] };
    }
    const params: { path: string; param: Param }[] = [];
    for (const e of call.params) params.push({ path: e.path, param: yield* this.plainParam(e.param) });
    const r = answerPure({ ...req, call: { ...call, params } }) as WholeResult;
    const grads: Record<string, NDArray> = {};
    for (const [path, g] of Object.entries(r.grads)) {
      const i = call.params.findIndex((e) => e.path === path);
      const orig = i < 0 ? null : (call.params[i] as { param: Param }).param.grad;
      const plain = i < 0 ? null : (params[i] as { param: Param }).param.grad;
      grads[path] = this.adoptGrad(path, g, plain, orig) as NDArray;
    }
    return { ...r, grads };
  }

  private fastUpdate(req: Extract<StepRequest, { op: "update" }>): UpdateResult | undefined {
    const { def, call } = req;
    const slot = this.slotOf(call.path);
    const name = def.kernel ?? def.name;
    if (
      slot !== undefined &&
      call.param === slot.data &&
      call.grad === slot.grad &&
      this.store.backend.optimizers[name] !== undefined
    ) {
      let resident = true;
      for (const k in call.state) {
        const s = call.state[k];
        if (!(s instanceof ResidentArray) || s.slot !== slot) {
          resident = false;
          break;
        }
      }
      const dry = resident ? this.dry.run(def, slot.dtype, call) : { ok: false as const };
      if (dry.ok) {
        this.pending.record({
          kind: "optimizer",
          slot,
          round: 0,
          name,
          offset: slot.offset,
          length: slot.length,
          hp: call.hp,
          t: call.t,
          extras: call.extras,
        });
        return dry.extras === undefined
          ? { param: call.param, state: call.state }
          : { param: call.param, state: call.state, extras: dry.extras };
      }
    }
    return undefined;
  }

  private *update(req: Extract<StepRequest, { op: "update" }>): Job<UpdateResult> {
    const fast = this.fastUpdate(req);
    if (fast !== undefined) return fast;
    const { def, call } = req;
    const slot = this.slotOf(call.path);
    // The spec computes this parameter: read its arrays back, update, keep what fits resident.
    yield* this.settled();
    const state: Record<string, NDArray> = {};
    for (const k in call.state) state[k] = yield* this.store.materialize(call.state[k] as NDArray);
    const plain = {
      ...call,
      param: yield* this.store.materialize(call.param),
      grad: yield* this.store.materialize(call.grad),
      state,
    };
    const keep = (r: UpdateResult): UpdateResult => {
      const st: Record<string, NDArray> = {};
      for (const [k, v] of Object.entries(r.state))
        st[k] = v === state[k] ? (call.state[k] as NDArray) : this.store.adopt(v, slot?.stateHandle(k));
      const param = r.param === plain.param ? call.param : this.store.adopt(r.param, slot?.data);
      return r.extras === undefined ? { param, state: st } : { param, state: st, extras: r.extras };
    };
    try {
      return keep(def.update(plain));
    } catch (err) {
      if (err instanceof OptspecError && err.partial !== undefined) err.partial = keep(err.partial as UpdateResult);
      throw err;
    }
  }
}
