/**
 * Model-based properties of the optimizer state machine (fast-check `fc.commands`): hooks run in
 * registration order, a removed hook never runs, duplicate names are rejected across pre and post,
 * `t` and `epoch` move exactly when Chainer moves them, a disabled rule leaves its parameter and
 * state alone, a failed call changes nothing, and no spec function mutates its inputs.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type OptimizerState,
  OptspecError,
  DuplicateHookError,
  UnknownHookError,
  NewEpochMisuseError,
  addHook,
  removeHook,
  createOptimizer,
  setup,
  setGrads,
  update,
  setEnabled,
  newEpoch,
  setUseAutoNewEpoch,
  registerHookKind,
  bitEqual,
} from "../../spec/index.js";
import { smallLink, snapshot, gradsFor } from "../helpers/fixtures.js";
import { clauses } from "../helpers/clauses.js";

const PATHS = ["/u", "/dec/w", "/enc/W", "/enc/b"];
const callLog: string[] = [];
registerHookKind({
  kind: "test_recorder",
  defaultName: null,
  timing: undefined,
  callForEachParam: false,
  clause: "hooks.call.order",
  validate: () => null,
  whole: ({ args }) => {
    callLog.push(args["label"] as string);
    return { grads: {} };
  },
});

interface Model {
  pre: string[];
  post: string[];
  t: number;
  epoch: number;
  auto: boolean;
  ruleT: Record<string, number>;
  enabled: Record<string, boolean>;
}

interface Real {
  s: OptimizerState;
}

/** Run a spec call; on failure check that the input is untouched, and return the error. */
function pure<T>(input: OptimizerState, f: () => T): { value?: T; error?: unknown } {
  const before = snapshot(input);
  try {
    const value = f();
    expect(snapshot(input)).toEqual(before);
    return { value };
  } catch (error) {
    expect(snapshot(input)).toEqual(before);
    return { error };
  }
}

class AddHook implements fc.Command<Model, Real> {
  constructor(
    readonly name: string,
    readonly timing: "pre" | "post",
  ) {}
  check = () => true;
  run(m: Model, r: Real) {
    const res = pure(r.s, () =>
      addHook(r.s, { kind: "test_recorder", args: { label: this.name } }, { name: this.name, timing: this.timing }),
    );
    if (m.pre.includes(this.name) || m.post.includes(this.name)) {
      expect(res.error).toBeInstanceOf(DuplicateHookError);
      expect((res.error as OptspecError).clause).toBe("hooks.add.unique-name");
      return;
    }
    expect(res.error).toBeUndefined();
    r.s = res.value as OptimizerState;
    m[this.timing].push(this.name);
  }
  toString = () => `addHook(${this.name}, ${this.timing})`;
}

class RemoveHook implements fc.Command<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  run(m: Model, r: Real) {
    const res = pure(r.s, () => removeHook(r.s, this.name));
    const i = m.pre.indexOf(this.name);
    const j = m.post.indexOf(this.name);
    if (i < 0 && j < 0) {
      expect(res.error).toBeInstanceOf(UnknownHookError);
      return;
    }
    r.s = res.value as OptimizerState;
    if (i >= 0) m.pre.splice(i, 1);
    else m.post.splice(j, 1);
  }
  toString = () => `removeHook(${this.name})`;
}

class Step implements fc.Command<Model, Real> {
  constructor(readonly seed: number) {}
  check = () => true;
  run(m: Model, r: Real) {
    const withGrads = setGrads(r.s, gradsFor(r.s, this.seed));
    callLog.length = 0;
    const res = pure(withGrads, () => update(withGrads));
    expect(res.error).toBeUndefined();
    const next = res.value as OptimizerState;
    expect(callLog).toEqual([...m.pre, ...m.post]);
    m.t += 1;
    expect(next.t).toBe(m.t);
    for (const p of PATHS) {
      if (m.enabled[p]) m.ruleT[p] = (m.ruleT[p] as number) + 1;
      else {
        // @clause rule.update.disabled: parameter and state untouched.
        expect(bitEqual(next.target!.params[p]!.data!, withGrads.target!.params[p]!.data!)).toBe(true);
        expect(next.rules[p]!.state).toBe(withGrads.rules[p]!.state);
      }
      expect(next.rules[p]!.t).toBe(m.ruleT[p]);
    }
    r.s = next;
  }
  toString = () => `update(seed=${this.seed})`;
}

class Enable implements fc.Command<Model, Real> {
  constructor(
    readonly path: string,
    readonly on: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real) {
    r.s = setEnabled(r.s, this.path, this.on);
    m.enabled[this.path] = this.on;
  }
  toString = () => `setEnabled(${this.path}, ${this.on})`;
}

class NewEpoch implements fc.Command<Model, Real> {
  constructor(readonly auto: boolean) {}
  check = () => true;
  run(m: Model, r: Real) {
    const res = pure(r.s, () => newEpoch(r.s, this.auto));
    if (this.auto !== m.auto) {
      expect(res.error).toBeInstanceOf(NewEpochMisuseError);
      return;
    }
    r.s = res.value as OptimizerState;
    m.epoch += 1;
    expect(r.s.epoch).toBe(m.epoch);
    expect(r.s.t).toBe(m.t);
  }
  toString = () => `newEpoch(auto=${this.auto})`;
}

class SetAuto implements fc.Command<Model, Real> {
  constructor(readonly on: boolean) {}
  check = () => true;
  run(m: Model, r: Real) {
    r.s = setUseAutoNewEpoch(r.s, this.on);
    m.auto = this.on;
  }
  toString = () => `useAutoNewEpoch = ${this.on}`;
}

const names = fc.constantFrom("a", "b", "c", "d", "WeightDecay");
const commands = [
  fc.tuple(names, fc.constantFrom("pre" as const, "post" as const)).map(([n, t]) => new AddHook(n, t)),
  names.map((n) => new RemoveHook(n)),
  fc.integer({ min: 1, max: 1e6 }).map((s) => new Step(s)),
  fc.tuple(fc.constantFrom(...PATHS), fc.boolean()).map(([p, b]) => new Enable(p, b)),
  fc.boolean().map((b) => new NewEpoch(b)),
  fc.boolean().map((b) => new SetAuto(b)),
];

describe("optimizer state machine (model-based)", () => {
  for (const opt of ["SGD", "MomentumSGD", "Adam"]) {
    it(`${opt}: hooks order, removal, duplicates, t/epoch, disabled rules, purity [${clauses("hooks.call.order", "hooks.add.unique-name", "rule.update.disabled", "errors.no-partial-effect", "state.plain-data")}]`, () => {
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 25 }), (cmds) => {
          const s = setup(createOptimizer(opt), smallLink("float32", 7));
          const model: Model = {
            pre: [],
            post: [],
            t: 0,
            epoch: 0,
            auto: false,
            ruleT: Object.fromEntries(PATHS.map((p) => [p, 0])),
            enabled: Object.fromEntries(PATHS.map((p) => [p, true])),
          };
          fc.modelRun(() => ({ model, real: { s } }), cmds);
        }),
        { numRuns: 60 },
      );
    });
  }
});
