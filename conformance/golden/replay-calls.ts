/**
 * Replay a golden call sequence (behaviour.json): Chainer calls written as Python text. The
 * interpreter understands the call forms the recorder uses; an unknown form makes the case
 * unsupported rather than passed.
 */
import {
  type OptimizerState,
  type HookSpec,
  type HookTarget,
  OptspecError,
  addHook,
  createLink,
  createOptimizer,
  hookTiming,
  lossScaling,
  newEpoch,
  optimizerAlphaT,
  removeHook,
  setLossScale,
  setUseAutoNewEpoch,
  setup,
  adaBoundBounds,
  registerHookKind,
  getHookKind,
} from "../../spec/index.js";
import { Unsupported, structureOf } from "./build.js";
import type { GoldenCallSequence, GoldenStructure } from "./format.js";
import type { Difference } from "./compare.js";

registerHookKind({ kind: "golden_NoName", defaultName: null, timing: undefined, callForEachParam: false, clause: "hooks.add.name", validate: () => null, whole: () => ({ grads: {} }) });
registerHookKind({ kind: "golden_BogusTiming", defaultName: "BogusTiming", timing: "bogus", callForEachParam: false, clause: "hooks.add.auto-timing", validate: () => null, whole: () => ({ grads: {} }) });

type PyVal = number | string | null | boolean | { ctor: string; args: PyVal[] };

/** Parse a Python argument list: numbers, strings, None, True/False and `Name(args)` calls. */
function parseArgs(text: string): { positional: PyVal[]; keywords: Record<string, PyVal> } {
  let i = 0;
  const ws = () => {
    while (text[i] === " ") i++;
  };
  const value = (): PyVal => {
    ws();
    const str = /^"([^"]*)"|^'([^']*)'/.exec(text.slice(i));
    if (str) {
      i += str[0].length;
      return (str[1] ?? str[2]) as string;
    }
    const numm = /^-?\d+(\.\d*)?(e-?\d+)?/.exec(text.slice(i));
    if (numm) {
      i += numm[0].length;
      return Number(numm[0]);
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!id) throw new Unsupported(`cannot parse ${text}`);
    i += id[0].length;
    if (id[0] === "None") return null;
    if (id[0] === "True") return true;
    if (id[0] === "False") return false;
    if (text[i] === "(") {
      const start = ++i;
      let depth = 1;
      while (depth > 0 && i < text.length) {
        if (text[i] === "(") depth++;
        if (text[i] === ")") depth--;
        i++;
      }
      return { ctor: id[0], args: parseArgs(text.slice(start, i - 1)).positional };
    }
    return { ctor: id[0], args: [] };
  };
  const positional: PyVal[] = [];
  const keywords: Record<string, PyVal> = {};
  while (i < text.length) {
    ws();
    if (i >= text.length) break;
    const kw = /^([A-Za-z_]+)=/.exec(text.slice(i));
    if (kw) {
      i += kw[0].length;
      keywords[kw[1] as string] = value();
    } else positional.push(value());
    ws();
    if (text[i] === ",") i++;
  }
  return { positional, keywords };
}

function hookOf(v: PyVal): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (v.ctor === "NoName") return { kind: "golden_NoName", args: {} };
  if (v.ctor === "BogusTiming") return { kind: "golden_BogusTiming", args: {} };
  // Chainer's positional order is the order of the kind's argument schema.
  const names = getHookKind(v.ctor)?.args?.map((a) => a.name);
  if (names === undefined) throw new Unsupported(`hook ${v.ctor}`);
  const args: Record<string, number | null> = {};
  v.args.forEach((a, k) => (args[names[k] as string] = a as number));
  return { kind: v.ctor, args } satisfies HookSpec;
}

function targetOf(receiver: string): HookTarget {
  const m = /^rule\((.+)\)$/.exec(receiver);
  return m ? { rule: m[1] as string } : "optimizer";
}

export function replayCallSequence(c: GoldenCallSequence, structure: GoldenStructure | undefined): Difference[] {
  const failures: Difference[] = [];
  const link = structure ? createLink(structureOf(structure, "float32")) : null;
  let s: OptimizerState = createOptimizer(c.optimizer);
  if (link !== null) s = setup(s, link);
  // "where is rule hook" asks about the rule the sequence last added a hook to.
  let lastRule: HookTarget = { rule: "/enc/W" };
  for (const [k, call] of c.calls.entries()) {
    const text = call.call.replace(/\s+#.*$/, "").trim();
    let value: unknown = null;
    let raised: unknown = null;
    const warnings: string[] = [];
    try {
      let m: RegExpExecArray | null;
      if ((m = /^new_epoch\((auto=True)?\)$/.exec(text))) {
        s = newEpoch(s, m[1] !== undefined);
        value = s.epoch;
      } else if ((m = /^use_auto_new_epoch = (True|False)$/.exec(text))) {
        s = setUseAutoNewEpoch(s, m[1] === "True");
        value = s.epoch;
      } else if ((m = /^(opt|rule\([^)]*\))\.add_hook\((.*)\)$/.exec(text))) {
        const { positional, keywords } = parseArgs(m[2] as string);
        if (m[1] !== "opt") lastRule = targetOf(m[1] as string);
        s = addHook(s, hookOf(positional[0] ?? null), { name: (keywords["name"] as string | undefined) ?? null, timing: "timing" in keywords ? keywords["timing"] : "auto", warn: (w) => warnings.push(w) }, targetOf(m[1] as string));
      } else if ((m = /^(opt|rule\([^)]*\))\.remove_hook\("([^"]*)"\)$/.exec(text))) {
        s = removeHook(s, m[2] as string, targetOf(m[1] as string));
      } else if ((m = /^where is (opt|rule) hook "([^"]*)"$/.exec(text))) {
        const target: HookTarget = m[1] === "opt" ? "optimizer" : lastRule;
        value = hookTiming(s, m[2] as string, target);
      } else if ((m = /^([A-Za-z]+)\(\)\.add_hook\((.*)\)$/.exec(text))) {
        addHook(createOptimizer(m[1] as string), hookOf(parseArgs(m[2] as string).positional[0] ?? null));
      } else if ((m = /^([A-Za-z]+)\(\)\.setup\(object\(\)\)$/.exec(text))) {
        setup(createOptimizer(m[1] as string), {});
      } else if ((m = /^opt\.loss_scaling\(interval=(-?\d+)\)$/.exec(text))) {
        s = lossScaling(s, { interval: Number(m[1]) });
      } else if ((m = /^opt\.set_loss_scale\((-?[\d.]+)\)$/.exec(text))) {
        s = setLossScale(s, Number(m[1]));
      } else if (/^Adam\(\)\.setup\(link\)\.alpha_t$/.test(text)) {
        value = optimizerAlphaT(setup(createOptimizer("Adam"), link));
      } else if (/^AdaBound rule \.bounds at t == 0$/.test(text)) {
        value = adaBoundBounds(createOptimizer("AdaBound").hyperparam, 0, 0.001);
      } else {
        throw new Unsupported(`call form not understood: ${call.call}`);
      }
    } catch (err) {
      if (err instanceof Unsupported) throw err;
      raised = err;
      if (err instanceof OptspecError && err.partial !== undefined) s = err.partial as OptimizerState;
    }
    const where = `call ${k} \`${call.call}\``;
    if (call.ok) {
      // oxlint-disable-next-line typescript/no-base-to-string -- a caught value; String() of an Error gives its name and message
      if (raised !== null) failures.push({ what: where, detail: `raised ${String(raised)}` });
      else if (text.startsWith("where is") && value !== call.value) failures.push({ what: where, detail: `${String(value)}, expected ${String(call.value)}` });
    } else if (!(raised instanceof OptspecError)) {
      // oxlint-disable-next-line typescript/no-base-to-string -- a caught value; String() of an Error gives its name and message
      failures.push({ what: where, detail: `expected ${call.error?.type}: ${call.error?.str}, got ${raised === null ? "no error" : String(raised)}` });
    } else if (raised.chainer.type !== call.error?.type || raised.chainer.str !== call.error?.str) {
      failures.push({ what: where, detail: `${raised.chainer.type}: ${raised.chainer.str}, expected ${call.error?.type}: ${call.error?.str}`, clause: raised.clause });
    }
    const expectedWarnings = (call.warnings ?? []).map((w) => w.message).join("\n");
    if (expectedWarnings !== warnings.join("\n")) failures.push({ what: `${where} warnings`, detail: `${JSON.stringify(warnings)}, expected ${JSON.stringify(expectedWarnings)}` });
    if (call.epoch_after !== undefined && s.epoch !== call.epoch_after) failures.push({ what: `${where} epoch`, detail: `${s.epoch}, expected ${call.epoch_after}` });
    if (call.t_after !== undefined && s.t !== call.t_after) failures.push({ what: `${where} t`, detail: `${s.t}, expected ${call.t_after}` });
  }
  return failures;
}
