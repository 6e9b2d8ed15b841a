/**
 * A resident run: an optimizer whose parameters, gradients and states live in a backend's memory
 * for the life of the run (see `store.ts`), stepped by the spec's own step program (`driver.ts`).
 *
 * The spec-side state holds everything but tensor data (shapes, dtypes, counters, rules, hooks,
 * loss scale, extras); `snapshot()` reads the tensors back into a plain `OptimizerState`, and a run
 * can be created from any state, so save and load go through the spec's serialization.
 *
 * Synchronous backends: every method returns plain values (the `…Sync` methods are typed so).
 * Asynchronous backends: data methods return promises; calls are serialized in call order.
 * A failed update leaves the run in Chainer's partial state (the spec's `update.partial`), which is
 * also what `error.partial` holds (read back); other failed calls leave the run as it was.
 */
import {
  type Dtype,
  type HookTarget,
  type AddHookOptions,
  type HyperValue,
  type Link,
  type LossFunction,
  type NDArray,
  type OptimizerState,
  type Param,
  type UpdateRuleState,
  type Warn,
  OptspecError,
  addHook,
  array,
  effectiveHyperparams,
  lossScaling,
  newEpoch,
  optimizerDef,
  paramOrder,
  paramPaths,
  removeHook,
  setEnabled,
  setGrads,
  setHyperparam,
  setLossScale,
  setRuleHyperparam,
} from "../../spec/index.js";
import { updateProgram } from "../../spec/optimizer/step-update.js";
import { copyTable } from "../../spec/optimizer/table.js";
import type { AnyBackend, MaybePromise } from "../contract.js";
import { type Job, runAsync, runSync } from "./job.js";
import { ResidentArray, Store, type Slot } from "./store.js";
import { ResidentDriver } from "./driver.js";

/** A gradient as given to `setGrads`: a spec array, plain values in C order, or null (cleared). */
export type GradInput = NDArray | ArrayLike<number> | null;

function isNDArray(x: GradInput): x is NDArray {
  return (
    x !== null &&
    typeof x === "object" &&
    "dtype" in x &&
    "shape" in x &&
    "data" in x &&
    (x as NDArray).data instanceof Float64Array
  );
}

/** Whether a parameter can live in the backend: initialized, n-d, a computed dtype, uniform state. */
function residentParam(backend: AnyBackend, p: Param, rule: UpdateRuleState | undefined): boolean {
  const a = p.data;
  if (a === null || a.shape.length === 0 || !backend.dtypes.includes(a.dtype) || a.dtype !== p.dtype) return false;
  const n = a.data.length;
  if (p.grad !== null && (p.grad.dtype !== a.dtype || p.grad.data.length !== n)) return false;
  // The fp32 master copy of a float16 parameter stays with the spec.
  if (rule !== undefined && rule.useFp32Update && a.dtype === "float16") return false;
  for (const v of Object.values(rule?.state ?? {})) if (v.dtype !== a.dtype || v.data.length !== n) return false;
  return true;
}

export class ResidentRun {
  private state!: OptimizerState;
  private readonly store: Store;
  private driver!: ResidentDriver;
  private tail: Promise<unknown> = Promise.resolve();
  private broken: unknown = null;
  private readonly marks = new Set<Slot>();

  private constructor(readonly backend: AnyBackend) {
    this.store = new Store(backend);
  }

  /** Create a run from a set-up optimizer state (a promise for an asynchronous backend). */
  static create(state: OptimizerState, backend: AnyBackend): MaybePromise<ResidentRun> {
    const run = new ResidentRun(backend);
    const job = run.load(state);
    if (backend.mode === "sync") {
      runSync(job, backend.name);
      return run;
    }
    return runAsync(job).then(() => run);
  }

  /** `create` for a synchronous backend. */
  static createSync(state: OptimizerState, backend: AnyBackend): ResidentRun {
    if (backend.mode !== "sync") throw new TypeError(`backend ${backend.name} is asynchronous: use ResidentRun.create`);
    return ResidentRun.create(state, backend) as ResidentRun;
  }

  private *load(s: OptimizerState): Job<void> {
    if (s.target === null || s.hooks === null)
      throw new TypeError("a resident run needs a set-up optimizer state (setup first)");
    const link = s.target;
    const backend = this.backend;
    const order = paramPaths(link.structure);
    const resident = order.filter((path) => residentParam(backend, link.params[path] as Param, s.rules[path]));
    // State keys: those of existing states, and those a fresh rule would create.
    const keys = new Set<string>();
    const def = optimizerDef(s.optimizer);
    for (const path of resident) {
      const p = link.params[path] as Param;
      const rule = s.rules[path];
      for (const k of Object.keys(
        rule?.state ??
          def.initState(
            { dtype: p.dtype, shape: [1], data: new Float64Array(1) },
            effectiveHyperparams(s.hyperparam, rule?.hyperparam ?? {}),
          ),
      ))
        keys.add(k);
    }
    this.store.allocate(
      resident.map((path) => {
        const a = (link.params[path] as Param).data as NDArray;
        return { path, dtype: a.dtype, shape: a.shape, length: a.data.length };
      }),
      keys,
    );
    const params: Record<string, Param> = { ...link.params };
    const rules: Record<string, UpdateRuleState> = { ...s.rules };
    for (const slot of this.store.slotList) {
      const p = link.params[slot.path] as Param;
      this.store.write(slot.data, p.data as NDArray);
      if (p.grad !== null) this.store.write(slot.grad, p.grad);
      params[slot.path] = { ...p, data: slot.data, grad: p.grad === null ? null : slot.grad };
      const rule = s.rules[slot.path];
      if (rule?.state) {
        const st: Record<string, NDArray> = {};
        for (const [k, v] of Object.entries(rule.state)) {
          const h = slot.stateHandle(k);
          this.store.write(h, v);
          st[k] = h;
        }
        rules[slot.path] = { ...rule, state: st };
      }
    }
    yield* this.store.drain();
    this.state = { ...s, rules, target: { structure: link.structure, params } };
    this.driver = new ResidentDriver(this.store);
  }

  private exec<R>(job: () => Job<R>): MaybePromise<R> {
    if (this.broken !== null) {
      // A caught failure (an Error or a reason string): String() gives its message.
      // oxlint-disable-next-line typescript/no-base-to-string
      const why = String(this.broken);
      throw new Error(`resident run on ${this.backend.name} is unusable after a backend failure: ${why}`);
    }
    if (this.backend.mode === "sync") return runSync(job(), this.backend.name);
    const p = this.tail.then(() => runAsync(job()));
    this.tail = p.catch(() => undefined);
    return p;
  }

  private execSync<R>(job: () => Job<R>, what: string): R {
    if (this.backend.mode !== "sync") throw new TypeError(`backend ${this.backend.name} is asynchronous: use ${what}`);
    return this.exec(job) as R;
  }

  // ------------------------------------------------------------------ stepping

  /** `update()` / `update(lossfun)`: one step of the spec's state machine on the backend. */
  update(lossfun?: LossFunction, options: { readonly warn?: Warn } = {}): MaybePromise<void> {
    return this.exec(() => this.updateJob(lossfun, options.warn));
  }

  updateSync(lossfun?: LossFunction, options: { readonly warn?: Warn } = {}): void {
    this.execSync(() => this.updateJob(lossfun, options.warn), "update");
  }

  private *updateJob(lossfun: LossFunction | undefined, warn: Warn | undefined): Job<void> {
    let partial: OptimizerState | null = null;
    const program = updateProgram(this.current, lossfun, warn, (s) => {
      partial = s;
    });
    try {
      this.state = yield* this.driver.drive(program);
    } catch (err) {
      // Chainer's partial effect: the work recorded before the failure happened; the spec-side
      // state is the program's partial state. A backend failure leaves the run unusable.
      if (partial === null) {
        this.driver.pending.discard();
        throw err;
      }
      try {
        yield* this.driver.pending.flush();
        yield* this.store.drain();
      } catch (backendErr) {
        this.broken = backendErr;
        throw backendErr;
      }
      this.state = partial;
      if (err instanceof OptspecError && err.partial !== undefined) err.partial = yield* this.snapshotJob();
      throw err;
    }
  }

  // ------------------------------------------------------------------ gradients

  /** Set gradients (the spec's `setGrads` checks; values are written into the backend). */
  setGrads(grads: Readonly<Record<string, GradInput>>): MaybePromise<void> {
    return this.exec(() => this.setGradsJob(grads));
  }

  setGradsSync(grads: Readonly<Record<string, GradInput>>): void {
    this.execSync(() => this.setGradsJob(grads), "setGrads");
  }

  private *setGradsJob(grads: Readonly<Record<string, GradInput>>): Job<void> {
    const target = this.current.target as Link;
    const arrays: Record<string, NDArray | null> = {};
    for (const [path, g] of Object.entries(grads)) {
      const p = target.params[path];
      if (g === null || isNDArray(g) || p === undefined || p.data === null) arrays[path] = g as NDArray | null;
      else if (
        g.length !== p.data.data.length &&
        !(p.data instanceof ResidentArray && g.length === p.data.slot.length)
      ) {
        arrays[path] = { dtype: p.dtype, shape: [g.length], data: new Float64Array(0) }; // the spec names the shape mismatch
      } else arrays[path] = array(p.dtype, p.data.shape, g);
    }
    const next = setGrads(this.state, arrays);
    const params: Record<string, Param> = { ...(next.target as Link).params };
    for (const path of Object.keys(arrays)) {
      const slot = this.store.slots.get(path);
      const g = arrays[path];
      if (slot === undefined || g === null || g === undefined) continue;
      this.store.write(slot.grad, g);
      params[path] = { ...(params[path] as Param), grad: slot.grad };
    }
    yield* this.store.drain();
    this.state = { ...next, target: { structure: target.structure, params } };
  }

  /** The resident segment of a parameter (for writing its gradient in place), or undefined. */
  segment(path: string):
    | {
        readonly dtype: Dtype;
        readonly offset: number;
        readonly length: number;
        readonly grad: unknown;
        readonly param: unknown;
      }
    | undefined {
    const slot = this.store.slots.get(path);
    if (slot === undefined) return undefined;
    return {
      dtype: slot.dtype,
      offset: slot.offset,
      length: slot.length,
      grad: this.store.buffer(slot.dtype, "grad", ""),
      param: this.store.buffer(slot.dtype, "param", ""),
    };
  }

  /**
   * A writable view of a resident parameter's gradient (synchronous backends exposing `view`),
   * and the gradient is marked present (as after `setGrads`): write the gradient into it, then update.
   */
  gradView(path: string): Float32Array | Float64Array {
    const slot = this.residentSlot(path);
    // oxlint-disable-next-line typescript/unbound-method -- called below with .call(this.backend.memory, ...)
    const view = this.backend.memory.view;
    if (view === undefined) throw new TypeError(`backend ${this.backend.name} exposes no views; use setGrads`);
    const v = view.call(this.backend.memory, this.store.buffer(slot.dtype, "grad", ""), slot.offset, slot.length);
    this.markGrad(slot);
    return v;
  }

  /** Mark a resident parameter's gradient present after writing its segment directly. */
  markGradWritten(path: string): void {
    this.markGrad(this.residentSlot(path));
  }

  private residentSlot(path: string): Slot {
    const slot = this.store.slots.get(path);
    if (slot === undefined) throw new TypeError(`${path} is not resident on ${this.backend.name} (use setGrads)`);
    return slot;
  }

  /** Marks are applied in one pass before the state is next used (O(P) for P marks, not O(P²)). */
  private markGrad(slot: Slot): void {
    this.marks.add(slot);
  }

  private get current(): OptimizerState {
    if (this.marks.size > 0) {
      const target = this.state.target as Link;
      const params = copyTable(target.params, paramOrder(target.structure));
      for (const slot of this.marks)
        params[slot.path] = { ...(params[slot.path] as Param), grad: slot.grad, gradValid: true };
      this.marks.clear();
      this.state = { ...this.state, target: { structure: target.structure, params } };
    }
    return this.state;
  }

  // ------------------------------------------------------------------ reading back

  /** The spec's plain `OptimizerState`, tensors read back from the backend. */
  snapshot(): MaybePromise<OptimizerState> {
    return this.exec(() => this.snapshotJob());
  }

  snapshotSync(): OptimizerState {
    return this.execSync(() => this.snapshotJob(), "snapshot");
  }

  private *snapshotJob(): Job<OptimizerState> {
    const s = this.current;
    const link = s.target as Link;
    const params: Record<string, Param> = {};
    for (const [path, p] of Object.entries(link.params)) {
      params[path] = {
        ...p,
        data: p.data === null ? null : yield* this.store.materialize(p.data),
        grad: p.grad === null ? null : yield* this.store.materialize(p.grad),
      };
    }
    const rules: Record<string, UpdateRuleState> = {};
    for (const [path, r] of Object.entries(s.rules)) {
      if (r.state === null) {
        rules[path] = r;
        continue;
      }
      const st: Record<string, NDArray> = {};
      for (const [k, v] of Object.entries(r.state)) st[k] = yield* this.store.materialize(v);
      rules[path] = { ...r, state: st };
    }
    return { ...s, rules, target: { structure: link.structure, params } };
  }

  /** The spec-side state without tensor data (resident tensors are opaque handles). */
  get specState(): OptimizerState {
    return this.current;
  }

  /** Which parameters are resident (the others run through the spec). */
  get residentPaths(): readonly string[] {
    return this.store.slotList.map((s) => s.path);
  }

  // ------------------------------------------------------------------ state-machine commands

  /**
   * Apply a spec function that reads no tensor data (hooks, hyperparameters, enable, epoch, loss
   * scale). It throws, the run stays as it was.
   */
  command(f: (s: OptimizerState) => OptimizerState): void {
    if (this.broken !== null)
      throw new Error(`resident run on ${this.backend.name} is unusable after a backend failure`);
    this.state = f(this.current);
  }

  newEpoch(auto = false): void {
    this.command((s) => newEpoch(s, auto));
  }
  addHook(hook: unknown, options: AddHookOptions = {}, target: HookTarget = "optimizer"): void {
    this.command((s) => addHook(s, hook, options, target));
  }
  removeHook(name: string, target: HookTarget = "optimizer"): void {
    this.command((s) => removeHook(s, name, target));
  }
  setHyperparam(name: string, v: HyperValue): void {
    this.command((s) => setHyperparam(s, name, v));
  }
  setRuleHyperparam(path: string, name: string, v: HyperValue): void {
    this.command((s) => setRuleHyperparam(s, path, name, v));
  }
  setEnabled(path: string, enabled: boolean): void {
    this.command((s) => setEnabled(s, path, enabled));
  }
  setLossScale(scale: number | null): void {
    this.command((s) => setLossScale(s, scale));
  }
  lossScaling(options: { readonly interval?: number; readonly scale?: number | null } = {}): void {
    this.command((s) => lossScaling(s, options));
  }

  /** Release the backend buffers; the run cannot be used afterwards. */
  dispose(): void {
    this.store.free();
    this.broken = "disposed";
  }
}
