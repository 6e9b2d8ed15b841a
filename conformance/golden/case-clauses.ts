/**
 * The clauses one golden case exercises, read from what the case records (optimizer and its
 * options, dtype, hooks, actions, loss scaling, calls, expected errors). The replay compares every
 * recorded value bit for bit, so a clause whose rule shapes a recorded value is checked by the case.
 */
import { BUILTIN_HOOKS, OPTIMIZERS } from "../../spec/index.js";
import { caseFiles, type GoldenSource, readGoldenDir } from "./source.js";
import type { GoldenCallSequence, GoldenCase, GoldenTrajectory } from "./format.js";

/** Every update: the sequence, the rule's counters and lazily created state, numpy's rounding rules. */
const EVERY_UPDATE = [
  "update.sequence", "rule.update.t", "rule.update.order", "rule.update.lazy-state", "optimizer.construct",
  "optimizer.setup", "hyperparam.inherit", "hyperparam.get-dict", "link.grad.states",
  "numerics.op.rounding", "numerics.op.inplace", "numerics.promotion.value-based", "numerics.dtype.rounding",
];
const SERIALIZATION = [
  "serialization.chainer.key-order", "serialization.chainer.save-values", "serialization.chainer.load.order",
  "serialization.chainer.load.adopt", "serialization.chainer.load.copy", "serialization.chainer.load.disabled",
  "serialization.chainer.load.counter", "serialization.chainer.lossy", "serialization.npy.encode",
  "serialization.npy.decode", "serialization.npz.read", "serialization.zip.read",
];
/** Which clauses a recorded call of a `call_sequence` case exercises, by the call's verb. */
const CALLS: readonly (readonly [RegExp, readonly string[]])[] = [
  [/new_epoch\(/, ["optimizer.new-epoch", "optimizer.new-epoch.auto"]],
  [/use_auto_new_epoch/, ["optimizer.new-epoch"]],
  [/add_hook\(/, ["hooks.add.order", "hooks.add.auto-timing"]],
  [/# duplicate|# dup /, ["hooks.add.unique-name"]],
  [/timing="(?!pre|post|auto)|timing=None/, ["hooks.add.timing"]],
  [/add_hook\(42\)/, ["hooks.add.callable"]],
  [/NoName\(\)/, ["hooks.add.name"]],
  [/^rule\(/, ["hooks.rule.call"]],
  [/remove_hook\(/, ["hooks.remove", "hooks.remove.unknown"]],
  [/^SGD\(\)\.add_hook/, ["optimizer.setup.required"]],
  [/setup\(object\(\)\)/, ["optimizer.setup.target"]],
  [/loss_scaling\(/, ["loss-scale.dynamic.configure", "loss-scale.dynamic.interval"]],
  [/set_loss_scale\(/, ["loss-scale.static.positive"]],
  [/alpha_t/, ["adam.alpha-t", "adam.alpha-t.t-zero"]],
  [/\.bounds at t == 0/, ["adam.bounds", "adam.bounds.t-zero"]],
];

function optimizerClauses(c: GoldenTrajectory): string[] {
  const def = OPTIMIZERS[c.optimizer.class];
  if (def === undefined) return [];
  const out = [def.clause];
  // A state entry's clause is checked where the case records that entry.
  const last = c.steps[c.steps.length - 1]?.after.rules ?? {};
  for (const r of Object.values(last)) for (const k of Object.keys(r.state ?? {})) out.push(def.stateClauses?.[k] ?? def.clause);
  const prefix = def.clause.split(".")[0] as string;
  const kw = c.optimizer.kwargs;
  const hp = c.optimizer.hyperparam;
  if (prefix === "adam") {
    out.push("adam.update.eps-check", "adam.update.step", "adam.alpha-t", "numerics.pow.correctly-rounded", "numerics.pow.integer");
    if (hp["amsgrad"] === true) out.push("adam.update.amsgrad", "numerics.nan.maximum");
    if (hp["adabound"] === true) out.push("adam.bounds", "numerics.nan.clip");
    if (c.optimizer.class !== "Adam") out.push(`${c.optimizer.class.toLowerCase()}.constructor`);
  }
  if (Object.keys(kw).length === 0) out.push(`${prefix}.defaults`);
  // RMSprop's eps check compares a numpy scalar `D(eps)`: scalar-only promotion.
  if (prefix === "rmsprop") out.push("rmsprop.eps-check", "numerics.promotion.scalars");
  if (prefix === "msvag") out.push("msvag.rho", "msvag.beta-power");
  return out;
}

function trajectoryClauses(c: GoldenTrajectory): string[] {
  const out = [...EVERY_UPDATE, ...optimizerClauses(c)];
  if (c.dtype === "float16") out.push("numerics.float16.round", "numerics.float16.bits");
  if (c.use_fp32_update) out.push("optimizer.fp32-update", "rule.update.fp32-master");
  // The parameter order shows in recorded values only where something sums or lists in that order.
  const ordered = c.mode === "lossfun" || c.kind === "serialization" || c.loss_scaling !== undefined || (c.hooks ?? []).some((h) => h.class === "GradientClipping");
  if (ordered) out.push("link.order.chain");
  if (c.mode === "lossfun") out.push("update.lossfun");
  for (const h of c.hooks ?? []) {
    const kind = (BUILTIN_HOOKS as Record<string, { clause: string } | undefined>)[h.class];
    if (kind === undefined) continue;
    out.push(kind.clause, "hooks.add.order", "hooks.call.order", "hooks.call.reallocate");
    const base = kind.clause.split(".").slice(0, 2).join(".");
    if (h.name_arg === null) out.push(`${base}.defaults`);
    if (h.timing_arg === null || h.timing_arg === "auto") out.push("hooks.add.auto-timing");
    if (h.target !== "optimizer") out.push("hooks.rule.call");
    if (h.target !== "optimizer" && h.class === "GradientClipping") out.push("hooks.rule.per-param-only");
    // Norms and rates are numpy scalars: scalar-only promotion.
    if (h.class === "GradientClipping") out.push("hooks.gradient-clipping.scale", "numerics.dot.sequential", "numerics.promotion.scalars");
    if (h.class === "GradientLARS") out.push("hooks.gradient-lars.apply", "numerics.dot.sequential", "numerics.promotion.scalars");
    if (h.class === "GradientNoise") out.push("hooks.gradient-noise.injectable");
    if (h.class === "GradientHardClipping") out.push("numerics.nan.clip");
    if (h.class === "Lasso") out.push("numerics.nan.sign");
  }
  if ((c.disabled_rules ?? []).length > 0) out.push("rule.enabled", "rule.update.disabled");
  if (Object.keys(c.rule_hyperparam ?? {}).length > 0) out.push("hyperparam.override");
  const params = c.link.param_order;
  for (const s of c.steps) {
    for (const a of s.actions_before ?? []) {
      if (a.op === "set_enabled") out.push("rule.enabled", "rule.update.disabled");
      if (a.op === "set_hyperparam") out.push(a.target === undefined || a.target === "optimizer" ? "hyperparam.inherit" : "hyperparam.override");
    }
    if (s.grads_in !== undefined && params.some((p) => !(p in (s.grads_in as object)))) out.push("update.zero-grad");
    if (s.error) out.push("errors.chainer-compat", "update.partial");
    if (s.error?.type === "KeyError") out.push("rule.state.key-missing");
  }
  if (c.error) out.push("errors.chainer-compat");
  if (c.set_loss_scale !== undefined && c.set_loss_scale !== null) {
    out.push("loss-scale.static.positive", "link.grad.loss-scale", "rule.update.unscale");
    if ((c.hooks ?? []).some((h) => h.class === "WeightDecay")) out.push("hooks.weight-decay.loss-scale");
  }
  if (c.loss_scaling !== undefined) {
    out.push("loss-scale.dynamic.configure", "loss-scale.dynamic.check", "loss-scale.dynamic.skip", "loss-scale.dynamic.adjust");
    out.push("link.grad.loss-scale", "rule.update.unscale", "numerics.dot.sequential");
  }
  if (c.kind === "serialization") out.push(...SERIALIZATION, "optimizer.new-epoch");
  return out;
}

function callClauses(c: GoldenCallSequence): string[] {
  const out: string[] = ["errors.chainer-compat"];
  for (const call of c.calls) for (const [re, ids] of CALLS) if (re.test(call.call)) out.push(...ids);
  return out;
}

/** The clauses a golden case exercises, sorted, without repeats. */
export function caseClauses(c: GoldenCase): string[] {
  const ids = c.kind === "call_sequence" ? callClauses(c as GoldenCallSequence) : "steps" in c ? trajectoryClauses(c as GoldenTrajectory) : [];
  return [...new Set(ids)].sort();
}

/** One golden case and the clauses it exercises; `file` is relative to the golden directory. */
export interface GoldenCaseClauses {
  readonly file: string;
  readonly id: string;
  readonly clauses: readonly string[];
}

/** The clauses of every case in a golden directory (none when the directory is missing). */
export function goldenCaseClauses(dir: string): GoldenCaseClauses[] {
  return sourceCaseClauses(readGoldenDir(dir));
}

/** The clauses of every case of a golden source (a directory read from disk, or files fetched over HTTP). */
export function sourceCaseClauses(src: GoldenSource): GoldenCaseClauses[] {
  const out: GoldenCaseClauses[] = [];
  for (const file of caseFiles(src)) {
    const doc = JSON.parse(src.files.get(file) as string) as { cases?: readonly GoldenCase[] };
    for (const c of doc.cases ?? []) out.push({ file, id: c.id, clauses: caseClauses(c) });
  }
  return out;
}
