/**
 * A thin mutable wrapper with Chainer's method names, for people who think in Chainer. Every
 * method delegates to the pure functions; a call that fails leaves the wrapper's state as it was.
 *
 * ```ts
 * const opt = Optimizer.create("Adam", { alpha: 0.01 }).setup(link);
 * opt.addHook(weightDecay(1e-4));
 * opt.setGrads(grads);
 * opt.update();
 * ```
 */
import type { OptimizerState } from "./state.js";
import type { Link } from "./link.js";
import type { HyperValue } from "./hyperparam.js";
import { type NDArray, copy } from "./ndarray.js";
import { createOptimizer, setup } from "./optimizer/create.js";
import { addHook, removeHook, callHooks, type HookTarget, type Warn } from "./optimizer/hooks.js";
import { update, type LossFunction } from "./optimizer/update.js";
import { lossScaling, setLossScale } from "./optimizer/loss-scale.js";
import {
  newEpoch,
  setUseAutoNewEpoch,
  useFp32Update,
  setHyperparam,
  setRuleHyperparam,
  deleteRuleHyperparam,
  setEnabled,
  setGrads,
  clearGrads,
  optimizerAlphaT,
} from "./optimizer/settings.js";
import { effectiveHyperparams } from "./hyperparam.js";

export class UpdateRuleHandle {
  constructor(
    private readonly opt: Optimizer,
    readonly path: string,
  ) {}
  private get target(): HookTarget {
    return { rule: this.path };
  }
  get t(): number {
    return this.opt.state.rules[this.path]?.t ?? 0;
  }
  get enabled(): boolean {
    return this.opt.state.rules[this.path]?.enabled ?? false;
  }
  set enabled(v: boolean) {
    this.opt.state = setEnabled(this.opt.state, this.path, v);
  }
  /** Copies of the rule's state arrays: writing into them cannot reach the optimizer (`state.no-aliasing`). */
  get state(): Readonly<Record<string, NDArray>> | null {
    const st = this.opt.state.rules[this.path]?.state ?? null;
    if (st === null) return null;
    const out: Record<string, NDArray> = {};
    for (const [k, a] of Object.entries(st)) out[k] = copy(a);
    return out;
  }
  hyperparam(name: string): HyperValue | undefined {
    const r = this.opt.state.rules[this.path];
    return r === undefined ? undefined : effectiveHyperparams(this.opt.state.hyperparam, r.hyperparam)[name];
  }
  setHyperparam(name: string, value: HyperValue): void {
    this.opt.state = setRuleHyperparam(this.opt.state, this.path, name, value);
  }
  deleteHyperparam(name: string): void {
    this.opt.state = deleteRuleHyperparam(this.opt.state, this.path, name);
  }
  addHook(hook: unknown, name: string | null = null, timing: unknown = "auto"): void {
    this.opt.state = addHook(this.opt.state, hook, { name, timing }, this.target);
  }
  removeHook(name: string): void {
    this.opt.state = removeHook(this.opt.state, name, this.target);
  }
}

export class Optimizer {
  /** The current immutable state; replaced (never mutated) by each successful call. */
  state: OptimizerState;
  /** Receives Chainer's warnings; defaults to console.warn. */
  warn: Warn = (m) => console.warn(m);

  constructor(state: OptimizerState) {
    this.state = state;
  }

  static create(name: string, args: Readonly<Record<string, HyperValue>> | readonly HyperValue[] = {}): Optimizer {
    return new Optimizer(createOptimizer(name, args));
  }

  setup(link: Link): this {
    this.state = setup(this.state, link);
    return this;
  }
  get target(): Link | null {
    return this.state.target;
  }
  get t(): number {
    return this.state.t;
  }
  get epoch(): number {
    return this.state.epoch;
  }
  get useAutoNewEpoch(): boolean {
    return this.state.useAutoNewEpoch;
  }
  set useAutoNewEpoch(v: boolean) {
    this.state = setUseAutoNewEpoch(this.state, v);
  }
  hyperparam(name: string): HyperValue | undefined {
    return this.state.hyperparam[name];
  }
  setHyperparam(name: string, value: HyperValue): void {
    this.state = setHyperparam(this.state, name, value);
  }
  rule(path: string): UpdateRuleHandle {
    return new UpdateRuleHandle(this, path);
  }
  addHook(hook: unknown, name: string | null = null, timing: unknown = "auto"): void {
    this.state = addHook(this.state, hook, { name, timing, warn: this.warn });
  }
  removeHook(name: string): void {
    this.state = removeHook(this.state, name);
  }
  callHooks(timing: "pre" | "post" = "pre"): void {
    this.state = callHooks(this.state, timing, this.warn);
  }
  setGrads(grads: Readonly<Record<string, NDArray | null>>): void {
    this.state = setGrads(this.state, grads);
  }
  cleargrads(): void {
    this.state = clearGrads(this.state);
  }
  update(lossfun?: LossFunction): void {
    this.state = update(this.state, lossfun, { warn: this.warn });
  }
  newEpoch(auto = false): void {
    this.state = newEpoch(this.state, auto);
  }
  setLossScale(scale: number | null): void {
    this.state = setLossScale(this.state, scale);
  }
  lossScaling(interval = 1000, scale: number | null = null): void {
    this.state = lossScaling(this.state, { interval, scale });
  }
  useFp32Update(flag = true): void {
    this.state = useFp32Update(this.state, flag);
  }
  get alphaT(): number {
    return optimizerAlphaT(this.state);
  }
}
