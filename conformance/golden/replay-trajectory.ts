/** Replay one golden trajectory through an update engine (the spec by default). */
import type { MaybePromise } from "../../backends/contract.js";
import { type Job, value } from "../../backends/resident/job.js";
import {
  type OptimizerState,
  type LossFunction,
  type UpdateOptions,
  OptspecError,
  setGrads,
  setHyperparam,
  setRuleHyperparam,
  setEnabled,
} from "../../spec/index.js";
import { decodeArray, decodeValue } from "./encoding.js";
import { buildTrajectory } from "./build.js";
import { compareArrays, compareSnapshot, type Difference } from "./compare.js";
import type { GoldenStep, GoldenTrajectory } from "./format.js";
import { goldenLoss, noiseLog, observed } from "./fixtures.js";

/** Whatever performs `update`: the spec itself, or the spec running on a backend's kernels. */
/** How a replay updates: the spec, or a backend (whose update may return a promise). */
export interface UpdateEngine {
  readonly name: string;
  update(state: OptimizerState, lossfun?: LossFunction, options?: UpdateOptions): MaybePromise<OptimizerState>;
}

export interface StepFailure extends Difference {
  readonly step: number;
}

/** The step's hyperparameter and enable/disable actions, applied before its update. */
export function applyActions(s0: OptimizerState, step: GoldenStep): OptimizerState {
  let s = s0;
  for (const a of step.actions_before ?? []) {
    const target = a.target ?? "optimizer";
    if (a.op === "set_hyperparam") {
      const v = decodeValue(a.value);
      s = target === "optimizer" ? setHyperparam(s, a.name as string, v) : setRuleHyperparam(s, target, a.name as string, v);
    } else if (a.op === "set_enabled") {
      s = setEnabled(s, target, a.value === true);
    } else throw new Error(`unknown action ${a.op}`);
  }
  return s;
}

/** Replay steps (a job: it yields only where an asynchronous engine returns a promise). */
export function* replaySteps(
  start: OptimizerState,
  c: Pick<GoldenTrajectory, "mode">,
  steps: readonly GoldenStep[],
  engine: UpdateEngine,
  stepOffset = 0,
): Job<{ state: OptimizerState; failures: StepFailure[]; stopped: boolean }> {
  let s = start;
  const failures: StepFailure[] = [];
  for (const [i, step] of steps.entries()) {
    const at = (d: Difference): StepFailure => ({ ...d, step: i + stepOffset });
    s = applyActions(s, step);
    if (step.grads_in !== undefined) {
      const grads: Record<string, ReturnType<typeof decodeArray>> = {};
      for (const [p, g] of Object.entries(step.grads_in)) grads[p] = decodeArray(g);
      s = setGrads(s, grads);
    }
    noiseLog.length = 0;
    observed.grads = null;
    const warnings: string[] = [];
    let raised: unknown = null;
    let lossValue: ReturnType<typeof decodeArray> | null = null;
    try {
      const lossfun: LossFunction | undefined =
        c.mode === "lossfun"
          ? (link) => {
              const l = goldenLoss(link);
              lossValue = l.value ?? null;
              return l;
            }
          : undefined;
      s = yield* value(engine.update(s, lossfun, { warn: (w) => warnings.push(w) }));
    } catch (err) {
      raised = err;
      if (err instanceof OptspecError && err.partial !== undefined) s = err.partial as OptimizerState;
    }
    if (step.error !== undefined) {
      if (!(raised instanceof OptspecError)) {
        // oxlint-disable-next-line typescript/no-base-to-string -- a caught value; String() of an Error gives its name and message
        failures.push(at({ what: "error", detail: `expected ${step.error.type}: ${step.error.str}, got ${raised === null ? "no error" : String(raised)}` }));
      } else if (raised.chainer.type !== step.error.type || raised.chainer.str !== step.error.str) {
        failures.push(at({ what: "error", detail: `${raised.chainer.type}: ${raised.chainer.str}, expected ${step.error.type}: ${step.error.str}`, clause: raised.clause }));
      }
    } else if (raised !== null) {
      // oxlint-disable-next-line typescript/no-base-to-string -- a caught non-Error value, shown as String() shows it
      failures.push(at({ what: "error", detail: `unexpected ${raised instanceof Error ? `${raised.name}: ${raised.message}` : String(raised)}`, ...(raised instanceof OptspecError ? { clause: raised.clause } : {}) }));
      return { state: s, failures, stopped: true };
    }
    for (const d of compareSnapshot(s, step.after, step.grads_in)) failures.push(at(d));
    if (step.loss !== undefined) {
      const d = compareArrays("loss", decodeArray(step.loss), lossValue);
      if (d !== null) failures.push(at(d));
    }
    if (step.grads_seen_by_first_pre_hook !== undefined) {
      for (const [p, g] of Object.entries(step.grads_seen_by_first_pre_hook)) {
        const d = compareArrays(`grads seen by the first pre hook ${p}`, decodeArray(g), observed.grads?.[p] ?? null, "update.lossfun");
        if (d !== null) failures.push(at(d));
      }
    }
    if (step.noise_calls !== undefined) {
      const exp = step.noise_calls;
      if (exp.length !== noiseLog.length) failures.push(at({ what: "noise calls", detail: `${noiseLog.length} calls, expected ${exp.length}`, clause: "hooks.gradient-noise" }));
      exp.forEach((e, k) => {
        const a = noiseLog[k];
        if (a === undefined) return;
        if (a.param !== e.param || a.ruleT !== e.rule_t) {
          failures.push(at({ what: `noise call ${k}`, detail: `(${a.param}, t=${a.ruleT}), expected (${e.param}, t=${e.rule_t})`, clause: "hooks.gradient-noise" }));
        }
      });
    }
    const expectedUser = (step.warnings ?? []).filter((w) => w.category === "UserWarning").map((w) => w.message);
    if (expectedUser.join("\n") !== warnings.filter((w) => !w.startsWith("RuntimeWarning")).join("\n")) {
      failures.push(at({ what: "warnings", detail: `${JSON.stringify(warnings)}, expected ${JSON.stringify(expectedUser)}` }));
    }
    if (step.error !== undefined) return { state: s, failures, stopped: true };
  }
  return { state: s, failures, stopped: false };
}

export function* replayTrajectory(c: GoldenTrajectory, engine: UpdateEngine): Job<StepFailure[]> {
  const s = buildTrajectory(c);
  return (yield* replaySteps(s, c, c.steps, engine)).failures;
}
