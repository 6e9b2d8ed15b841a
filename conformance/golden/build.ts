/** Build the optimizer a golden trajectory describes, through the spec's public functions. */
import {
  type LinkStructure,
  type NDArray,
  type OptimizerState,
  type HookSpec,
  type Json,
  type Dtype,
  isDtype,
  createLink,
  createOptimizer,
  setup,
  useFp32Update,
  setLossScale,
  lossScaling,
  addHook,
  setEnabled,
  setRuleHyperparam,
  getOptimizerDef,
  getHookKind,
} from "../../spec/index.js";
import { decodeArray, decodeValue } from "./encoding.js";
import type { GoldenStructure, GoldenTrajectory } from "./format.js";
import { GOLDEN_NOISE_NAME, isGoldenNoiseDescription, OBSERVER_KIND } from "./fixtures.js";

export class Unsupported extends Error {}

export function structureOf(s: GoldenStructure, dtype: Dtype): LinkStructure {
  const kind = s.class === "ChainList" ? "chainlist" : s.class === "Chain" ? "chain" : "link";
  const params: { name: string; dtype: Dtype; shape: readonly number[] }[] = [];
  const children: { name: string; link: LinkStructure }[] = [];
  for (const e of s.entries) {
    if (e[0] === "param") params.push({ name: e[1], dtype, shape: e[2] });
    else children.push({ name: e[1], link: structureOf(e[2], dtype) });
  }
  return { kind, params, children };
}

export function hookSpecOf(h: { class: string; args: Readonly<Record<string, unknown>> }): HookSpec {
  if (getHookKind(h.class) === undefined) throw new Unsupported(`hook ${h.class} is not in the spec`);
  const args: Record<string, Json> = {};
  for (const [k, v] of Object.entries(h.args)) {
    if (k === "noise_func") {
      if (typeof v !== "string" || !isGoldenNoiseDescription(v)) throw new Unsupported(`noise function not recognised: ${String(v)}`);
      args["noise"] = { name: GOLDEN_NOISE_NAME };
    } else if (typeof v === "string") {
      throw new Unsupported(`hook argument ${k} = ${v}`);
    } else {
      args[k] = decodeValue(v);
    }
  }
  return { kind: h.class, args };
}

function kwargsOf(kwargs: Readonly<Record<string, unknown>>): Record<string, number | boolean | null> {
  const out: Record<string, number | boolean | null> = {};
  for (const [k, v] of Object.entries(kwargs)) out[k] = decodeValue(v);
  return out;
}

export function buildTrajectory(c: GoldenTrajectory): OptimizerState {
  if (getOptimizerDef(c.optimizer.class) === undefined) throw new Unsupported(`optimizer ${c.optimizer.class} is not in the spec`);
  if (!isDtype(c.dtype)) throw new Unsupported(`dtype ${c.dtype}`);
  const structure = structureOf(c.link.structure, c.dtype);
  const data: Record<string, NDArray> = {};
  for (const [path, a] of Object.entries(c.initial.params)) data[path] = decodeArray(a);
  let s = createOptimizer(c.optimizer.class, kwargsOf(c.optimizer.kwargs));
  s = setup(s, createLink(structure, data));
  if (c.use_fp32_update) s = useFp32Update(s);
  if (c.set_loss_scale !== undefined) s = setLossScale(s, decodeValue(c.set_loss_scale) as number | null);
  if (c.loss_scaling !== undefined) {
    const scale = c.loss_scaling.scale === undefined ? null : (decodeValue(c.loss_scaling.scale) as number | null);
    s = lossScaling(s, c.loss_scaling.interval === undefined ? { scale } : { interval: c.loss_scaling.interval, scale });
  }
  if (c.observer !== undefined) s = addHook(s, { kind: OBSERVER_KIND, args: {} }, { name: "observer", timing: "pre" });
  for (const h of c.hooks ?? []) {
    const target = h.target === "optimizer" ? "optimizer" : { rule: h.target };
    s = addHook(s, hookSpecOf(h), { name: h.name_arg, timing: h.timing_arg ?? "auto" }, target);
  }
  for (const path of c.disabled_rules ?? []) s = setEnabled(s, path, false);
  for (const [path, hp] of Object.entries(c.rule_hyperparam ?? {})) {
    for (const [name, v] of Object.entries(hp)) s = setRuleHyperparam(s, path, name, decodeValue(v));
  }
  return s;
}
