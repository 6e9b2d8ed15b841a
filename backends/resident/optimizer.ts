/**
 * The Chainer-named wrapper (`spec/chainer-api.ts`'s `Optimizer`) on a backend: the same method
 * names, the optimizer resident in the backend (a synchronous backend; for an asynchronous one use
 * `ResidentRun` and await its data methods).
 *
 * ```ts
 * const opt = ResidentOptimizer.on(Optimizer.create("Adam", { alpha: 0.01 }).setup(link), jsBackend);
 * opt.addHook(weightDecay(1e-4));
 * opt.setGrads(grads);   // or: opt.gradView("/W").set(values)
 * opt.update();
 * const state = opt.state; // read back: save it with saveLossless / saveNpz
 * ```
 */
import {
  type HyperValue,
  type LossFunction,
  type OptimizerState,
  type Warn,
  Optimizer,
  effectiveHyperparams,
  setUseAutoNewEpoch,
  useFp32Update,
} from "../../spec/index.js";
import type { AnyBackend } from "../contract.js";
import { type GradInput, ResidentRun } from "./run.js";

export class ResidentOptimizer {
  warn: Warn = (m) => console.warn(m);

  private constructor(readonly run: ResidentRun) {}

  /** Put a set-up optimizer (a Chainer-named `Optimizer` or a plain state) on a synchronous backend. */
  static on(opt: Optimizer | OptimizerState, backend: AnyBackend): ResidentOptimizer {
    return new ResidentOptimizer(ResidentRun.createSync(opt instanceof Optimizer ? opt.state : opt, backend));
  }

  /** The optimizer's plain state, read back from the backend. */
  get state(): OptimizerState {
    return this.run.snapshotSync();
  }
  get t(): number {
    return this.run.specState.t;
  }
  get epoch(): number {
    return this.run.specState.epoch;
  }
  get useAutoNewEpoch(): boolean {
    return this.run.specState.useAutoNewEpoch;
  }
  set useAutoNewEpoch(v: boolean) {
    this.run.command((s) => setUseAutoNewEpoch(s, v));
  }
  hyperparam(name: string): HyperValue | undefined {
    return effectiveHyperparams(this.run.specState.hyperparam, {})[name];
  }
  setHyperparam(name: string, value: HyperValue): void {
    this.run.setHyperparam(name, value);
  }
  addHook(hook: unknown, name: string | null = null, timing: unknown = "auto"): void {
    this.run.addHook(hook, { name, timing, warn: this.warn });
  }
  removeHook(name: string): void {
    this.run.removeHook(name);
  }
  setGrads(grads: Readonly<Record<string, GradInput>>): void {
    this.run.setGradsSync(grads);
  }
  /** A writable view of a parameter's gradient in the backend (marks it present). */
  gradView(path: string): Float32Array | Float64Array {
    return this.run.gradView(path);
  }
  update(lossfun?: LossFunction): void {
    this.run.updateSync(lossfun, { warn: this.warn });
  }
  newEpoch(auto = false): void {
    this.run.newEpoch(auto);
  }
  setLossScale(scale: number | null): void {
    this.run.setLossScale(scale);
  }
  lossScaling(interval = 1000, scale: number | null = null): void {
    this.run.lossScaling({ interval, scale });
  }
  useFp32Update(flag = true): void {
    this.run.command((s) => useFp32Update(s, flag));
  }
  setEnabled(path: string, enabled: boolean): void {
    this.run.setEnabled(path, enabled);
  }
}
