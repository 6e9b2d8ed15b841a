/**
 * optspec's lossless snapshot: a property over random command sequences (fast-check `fc.commands`)
 * for every optimizer of the registry and every built-in hook — saving, loading into a fresh state
 * and continuing is exactly the run that never stopped — plus the document layout, special floats,
 * numpy readability of the npz form and unregistered hook kinds.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type Dtype,
  type HyperValue,
  type Json,
  type LinkStructure,
  type Loss,
  type NDArray,
  type OptimizerDef,
  type OptimizerState,
  type Param,
  BUILTIN_HOOKS,
  LOSSLESS_FORMAT,
  LOSSLESS_META_KEY,
  LOSSLESS_VERSION,
  OPTIMIZERS,
  SnapshotFormatError,
  UnknownHookKindError,
  addHook,
  array,
  clearGrads,
  createLink,
  createOptimizer,
  deleteRuleHyperparam,
  fromJSON,
  loadLossless,
  lossScaling,
  newEpoch,
  registerHookKind,
  removeHook,
  saveLossless,
  setEnabled,
  setGrads,
  setHyperparam,
  setLossScale,
  setRuleHyperparam,
  setUseAutoNewEpoch,
  setup,
  toJSON,
  update,
  useFp32Update,
} from "../../../spec/index.js";
import { readNpz } from "../../../spec/serialization/npz.js";
import { gradsFor, smallLink, smallStructure } from "../../helpers/fixtures.js";
import { clauses } from "../../helpers/clauses.js";

// ------------------------------------------------------------------ exact comparison of states

/** Keys whose object values are records: their key order is data (a rule's state order). */
const RECORDS = new Set(["hyperparam", "rules", "state", "params", "extras", "args", "o"]);

/** A canonical, comparable form: floats as bit strings, struct keys sorted, record order kept. */
function canon(x: unknown, ordered = false): unknown {
  if (typeof x === "number") return Object.is(x, -0) ? "-0" : Number.isNaN(x) ? "NaN" : x;
  if (x instanceof Float64Array) return Array.from(x, (v) => canon(v));
  if (Array.isArray(x)) return x.map((v) => canon(v));
  if (typeof x === "object" && x !== null) {
    const keys = Object.keys(x).filter((k) => (x as Record<string, unknown>)[k] !== undefined);
    if (!ordered) keys.sort();
    return keys.map((k) => [k, canon((x as Record<string, unknown>)[k], RECORDS.has(k))]);
  }
  return x;
}

function expectSameState(actual: OptimizerState, expected: OptimizerState): void {
  expect(JSON.stringify(canon(actual))).toBe(JSON.stringify(canon(expected)));
}

// ------------------------------------------------------------------ the two runs

interface Real {
  /** The run that never stops. */
  a: OptimizerState;
  /** The run that is saved and loaded again now and then. */
  b: OptimizerState;
  roundTrips: number;
}

function attempt(f: () => OptimizerState): { state?: OptimizerState; error?: unknown } {
  try {
    return { state: f() };
  } catch (error) {
    return { error };
  }
}

/** One operation applied to both runs; both must succeed identically or fail identically. */
class Op implements fc.Command<object, Real> {
  constructor(
    readonly label: string,
    readonly f: (s: OptimizerState) => OptimizerState,
  ) {}
  check = () => true;
  run(_m: object, r: Real): void {
    const ra = attempt(() => this.f(r.a));
    const rb = attempt(() => this.f(r.b));
    if (ra.error !== undefined || rb.error !== undefined) {
      expect(rb.error === undefined).toBe(ra.error === undefined);
      expect(String(rb.error)).toBe(String(ra.error));
      expect((rb.error as object).constructor).toBe((ra.error as object).constructor);
      return;
    }
    r.a = ra.state as OptimizerState;
    r.b = rb.state as OptimizerState;
    expectSameState(r.b, r.a);
  }
  toString = () => this.label;
}

/** Save run b, load it into a fresh state, and continue from that. */
class SaveLoad implements fc.Command<object, Real> {
  constructor(readonly how: "json" | "npz" | "npz-stored") {}
  check = () => true;
  run(_m: object, r: Real): void {
    const saved = r.b;
    r.b =
      this.how === "json"
        ? fromJSON(toJSON(saved))
        : loadLossless(saveLossless(saved, { compress: this.how === "npz" }));
    r.roundTrips++;
    expectSameState(r.b, saved);
    expectSameState(r.b, r.a);
  }
  toString = () => `saveLoad(${this.how})`;
}

// ------------------------------------------------------------------ arbitraries

const SPECIAL = [NaN, -0, Infinity, -Infinity, 5e-324, 1e300];
const arbFloat = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL) },
);

function arbHyperValue(def: OptimizerDef, name: string): fc.Arbitrary<HyperValue> {
  const h = def.hyperparams.find((x) => x.name === name);
  switch (h?.type) {
    case "bool":
      return fc.boolean();
    case "int":
      return fc.integer({ min: 0, max: 3 });
    case "float|null":
      return fc.option(arbFloat, { nil: null });
    default:
      return fc.oneof(fc.constant(h?.default ?? 0.1), arbFloat);
  }
}

/** Arguments for each built-in hook kind (the test fails when a new built-in hook has none). */
const HOOK_ARGS: Record<string, fc.Arbitrary<Record<string, Json>>> = {
  WeightDecay: fc.record({ rate: fc.double({ min: 0, max: 0.1, noNaN: true }) }),
  Lasso: fc.record({ rate: fc.double({ min: 0, max: 0.1, noNaN: true }) }),
  GradientHardClipping: fc.record({
    lower_bound: fc.double({ min: -1, max: 0, noNaN: true }),
    upper_bound: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  GradientClipping: fc.record({ threshold: fc.double({ min: 0.01, max: 2, noNaN: true }) }),
  GradientNoise: fc.record({
    eta: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
    noise: fc.record({ name: fc.constant("exponential_decay_noise"), seed: fc.nat(1000) }),
  }),
  GradientLARS: fc.record({
    threshold: fc.double({ min: 0, max: 0.1, noNaN: true }),
    weight_decay: fc.double({ min: 0, max: 0.1, noNaN: true }),
    eps: fc.constant(1e-9),
  }),
};

const PATHS = ["/u", "/dec/w", "/enc/W", "/enc/b"];
const arbTarget = fc.constantFrom("optimizer" as const, ...PATHS.map((rule) => ({ rule })));
const arbHookName = fc.constantFrom<string | undefined>(undefined, "h1", "h2");

/** The recorder's loss `sum(p * p)`: gradient `2p`, times the loss scale. */
const squareLoss = (link: { params: Readonly<Record<string, Param>> }): Loss => ({
  backward(lossScale) {
    const grads: Record<string, NDArray> = {};
    for (const [path, p] of Object.entries(link.params)) {
      if (p.data === null) continue;
      grads[path] = array(
        p.dtype,
        p.data.shape,
        Array.from(p.data.data, (x) => 2 * x * (lossScale ?? 1)),
      );
    }
    return grads;
  },
});

function withNonFinite(grads: Record<string, NDArray>, path: string, value: number): Record<string, NDArray> {
  const g = grads[path];
  if (g === undefined || g.data.length === 0) return grads;
  const data = new Float64Array(g.data);
  data[0] = value;
  return { ...grads, [path]: { ...g, data } };
}

function commandsFor(def: OptimizerDef): fc.Arbitrary<fc.Command<object, Real>>[] {
  const names = def.hyperparams.map((h) => h.name);
  const arbHp = fc.constantFrom(...names).chain((n) => arbHyperValue(def, n).map((v) => [n, v] as const));
  const arbHook = fc
    .constantFrom(...Object.keys(HOOK_ARGS))
    .chain((kind) => (HOOK_ARGS[kind] as fc.Arbitrary<Record<string, Json>>).map((args) => ({ kind, args })));
  const updates = fc
    .tuple(fc.integer({ min: 1, max: 1e6 }), fc.option(fc.constantFrom(NaN, Infinity), { freq: 6 }))
    .map(
      ([seed, bad]) =>
        new Op(`update(grads ${seed}${bad === null ? "" : `, ${bad}`})`, (s) => {
          const g = gradsFor(s, seed);
          return update(setGrads(s, bad === null ? g : withNonFinite(g, "/enc/W", bad)));
        }),
    );
  return [
    // Updates with gradients (sometimes one non-finite element), and with a loss function.
    updates,
    updates,
    updates,
    fc.constant(new Op("update(lossfun)", (s) => update(s, squareLoss))),
    fc
      .tuple(arbHook, arbTarget, fc.constantFrom("pre", "post", "auto"), arbHookName)
      .map(
        ([h, target, timing, name]) =>
          new Op(`addHook(${JSON.stringify(h)}, ${JSON.stringify(target)}, ${timing}, ${name})`, (s) =>
            addHook(s, h, { timing, ...(name === undefined ? {} : { name }) }, target),
          ),
      ),
    // Remove the k-th registered hook of a target (or an unknown name when it has none).
    fc.tuple(fc.nat(5), arbTarget).map(
      ([k, target]) =>
        new Op(`removeHook(#${k}, ${JSON.stringify(target)})`, (s) => {
          const table = target === "optimizer" ? s.hooks : s.rules[target.rule]?.hooks;
          const names = [...(table?.pre ?? []), ...(table?.post ?? [])].map((h) => h.name);
          return removeHook(s, names.length === 0 ? "h1" : (names[k % names.length] as string), target);
        }),
    ),
    arbHp.map(([n, v]) => new Op(`setHyperparam(${n}, ${String(v)})`, (s) => setHyperparam(s, n, v))),
    fc
      .tuple(fc.constantFrom(...PATHS), arbHp)
      .map(
        ([p, [n, v]]) => new Op(`setRuleHyperparam(${p}, ${n}, ${String(v)})`, (s) => setRuleHyperparam(s, p, n, v)),
      ),
    fc
      .tuple(fc.constantFrom(...PATHS), fc.constantFrom(...names))
      .map(([p, n]) => new Op(`deleteRuleHyperparam(${p}, ${n})`, (s) => deleteRuleHyperparam(s, p, n))),
    fc.boolean().map((auto) => new Op(`newEpoch(${auto})`, (s) => newEpoch(s, auto))),
    fc.boolean().map((on) => new Op(`useAutoNewEpoch = ${on}`, (s) => setUseAutoNewEpoch(s, on))),
    fc.constantFrom(1, 2, 8, 0.5, 1024).map((scale) => new Op(`setLossScale(${scale})`, (s) => setLossScale(s, scale))),
    fc
      .integer({ min: 1, max: 3 })
      .map((interval) => new Op(`lossScaling(${interval})`, (s) => lossScaling(s, { interval }))),
    fc
      .tuple(fc.constantFrom(...PATHS), fc.boolean())
      .map(([p, on]) => new Op(`setEnabled(${p}, ${on})`, (s) => setEnabled(s, p, on))),
    fc.boolean().map((on) => new Op(`useFp32Update(${on})`, (s) => useFp32Update(s, on))),
    fc.constant(new Op("clearGrads", (s) => clearGrads(s))),
    fc.constantFrom("json" as const, "npz" as const, "npz-stored" as const).map((how) => new SaveLoad(how)),
  ];
}

/** The small test link, optionally with a lazily initialized parameter (no data, no shape). */
function linkFor(dtype: Dtype, seed: number, lazy: boolean) {
  const base = smallLink(dtype, seed);
  if (!lazy) return base;
  const s0 = smallStructure(dtype);
  const structure: LinkStructure = { ...s0, params: [...s0.params, { name: "lazy", dtype, shape: null }] };
  const data: Record<string, NDArray> = {};
  for (const [p, v] of Object.entries(base.params)) if (v.data !== null) data[p] = v.data;
  return createLink(structure, data);
}

describe(`lossless snapshot: save, load, continue = the run that never stopped [${clauses("serialization.lossless.complete")}]`, () => {
  it("has arguments for every built-in hook", () => {
    expect(Object.keys(HOOK_ARGS).sort()).toEqual(Object.keys(BUILTIN_HOOKS).sort());
  });

  for (const [name, def] of Object.entries(OPTIMIZERS)) {
    it(`${name}: random commands with hooks, hyperparameters, epochs, loss scaling, enable/disable`, () => {
      const commands = commandsFor(def);
      let roundTrips = 0;
      let updates = 0;
      fc.assert(
        fc.property(
          fc.constantFrom<Dtype>("float16", "float32", "float64"),
          fc.integer({ min: 1, max: 1000 }),
          fc.boolean(),
          fc.commands(commands, { maxCommands: 40, size: "max" }),
          (dtype, seed, lazy, cmds) => {
            const s = setup(createOptimizer(name), linkFor(dtype, seed, lazy && seed % 4 === 0));
            const real: Real = { a: s, b: s, roundTrips: 0 };
            fc.modelRun(() => ({ model: {}, real }), cmds);
            // One last round trip of the final state.
            expectSameState(fromJSON(toJSON(real.b)), real.a);
            expectSameState(loadLossless(saveLossless(real.b)), real.a);
            roundTrips += real.roundTrips;
            updates += real.a.t;
          },
        ),
        { numRuns: 20 },
      );
      expect(roundTrips).toBeGreaterThan(0);
      expect(updates).toBeGreaterThan(0);
    });
  }
});

describe("lossless snapshot: document and container", () => {
  const base = (): OptimizerState => {
    let s = setup(createOptimizer("Adam", { amsgrad: true }), smallLink("float32", 3));
    s = addHook(
      s,
      { kind: "GradientNoise", args: { eta: 0.1, noise: { name: "exponential_decay_noise", seed: 5 } } },
      {},
      { rule: "/u" },
    );
    s = addHook(s, { kind: "WeightDecay", args: { rate: 1e-3 } });
    s = setRuleHyperparam(s, "/enc/W", "alpha", 0.5);
    s = lossScaling(s, { interval: 3 });
    for (let i = 1; i <= 3; i++) s = update(setGrads(s, gradsFor(s, i)));
    return newEpoch(s);
  };

  it(`is versioned JSON whose records are ordered pairs [${clauses("serialization.lossless.version")}]`, () => {
    const doc = JSON.parse(toJSON(base())) as Record<string, unknown>;
    expect(doc["format"]).toBe(LOSSLESS_FORMAT);
    expect(doc["version"]).toBe(LOSSLESS_VERSION);
    const rules = doc["rules"] as [string, { state: [string, unknown][] }][];
    expect(rules.map(([p]) => p)).toEqual(PATHS);
    expect(rules[0]?.[1].state.map(([k]) => k)).toEqual(["m", "v", "vhat"]);
  });

  it("keeps every float exactly: NaN, -0, ±Infinity, subnormals in params, grads, hyperparameters, extras, hook args", () => {
    let s = base();
    const specials = [NaN, -0, Infinity, -Infinity, 5e-324, -1.5e-310, 0.1];
    s = setHyperparam(s, "alpha", -0);
    s = setHyperparam(s, "eps", NaN);
    s = setRuleHyperparam(s, "/u", "beta1", 5e-324);
    s = addHook(s, { kind: "Lasso", args: { rate: -0 } }, { name: "negzero" });
    const target = s.target as NonNullable<OptimizerState["target"]>;
    const p = target.params["/enc/W"] as Param;
    const data = array("float64", [7], specials);
    s = {
      ...s,
      target: {
        ...target,
        params: {
          ...target.params,
          "/enc/W": {
            ...p,
            data: { ...data, dtype: "float32", shape: [7], data: Float64Array.from(specials, (x) => Math.fround(x)) },
            shape: [7],
            grad: null,
          },
        },
      },
      rules: {
        ...s.rules,
        "/u": {
          ...(s.rules["/u"] as NonNullable<OptimizerState["rules"][string]>),
          extras: { beta_power: -0, other: NaN },
        },
      },
      // The state must have the parameter's shape: drop it for the reshaped parameter.
    };
    s = {
      ...s,
      rules: {
        ...s.rules,
        "/enc/W": { ...(s.rules["/enc/W"] as NonNullable<OptimizerState["rules"][string]>), state: null },
      },
    };
    expectSameState(fromJSON(toJSON(s)), s);
    expectSameState(loadLossless(saveLossless(s)), s);
    const back = fromJSON(toJSON(s));
    expect(Object.is(back.hyperparam["alpha"], -0)).toBe(true);
    expect(Number.isNaN(back.hyperparam["eps"])).toBe(true);
    expect(Object.is(back.target?.params["/enc/W"]?.data?.data[1], -0)).toBe(true);
  });

  it("keeps a state that is not set up, and a rule's fp32 master (float16 parameters)", () => {
    const fresh = createOptimizer("MomentumSGD", { lr: 0.3 });
    expectSameState(fromJSON(toJSON(fresh)), fresh);
    let s = useFp32Update(setup(createOptimizer("Adam"), smallLink("float16", 9)));
    s = update(setGrads(s, gradsFor(s, 4)));
    expect(s.rules["/u"]?.fp32Param?.dtype).toBe("float32");
    expectSameState(fromJSON(toJSON(s)), s);
    expectSameState(loadLossless(saveLossless(s, { compress: false })), s);
  });

  it("the npz holds one npy member per array plus the JSON document as uint8", () => {
    const s = base();
    const { entries } = readNpz(saveLossless(s));
    expect(entries[0]?.key).toBe(LOSSLESS_META_KEY);
    const keys = entries.map((e) => e.key);
    expect(keys).toContain("target/params/enc/W/data");
    expect(keys).toContain("rules/u/state/vhat");
    const m = entries.find((e) => e.key === "rules/u/state/m")?.array;
    expect(m).toMatchObject({ dtype: "float32", shape: [3] });
  });

  const py = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  it.skipIf(py.status !== 0)("numpy reads the npz with allow_pickle=False (python3 + numpy)", () => {
    const s = base();
    const bytes = saveLossless(s);
    const script = `
import sys, io, json, numpy as np
f = np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False)
doc = json.loads(f["${LOSSLESS_META_KEY}"].tobytes().decode("utf-8"))
rules = dict((p, r) for p, r in doc["rules"])
key = dict(rules["/u"]["state"])["m"]["npy"]
a = f[key]
print(json.dumps({"format": doc["format"], "version": doc["version"], "dtype": str(a.dtype), "m": [float(x) for x in a], "n": len(f.files)}))
`;
    const r = spawnSync("python3", ["-c", script], { input: bytes, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { format: string; version: number; dtype: string; m: number[]; n: number };
    expect(out.format).toBe(LOSSLESS_FORMAT);
    expect(out.version).toBe(LOSSLESS_VERSION);
    expect(out.dtype).toBe("float32");
    expect(out.m).toEqual(Array.from(s.rules["/u"]?.state?.["m"]?.data ?? []));
    expect(out.n).toBe(readNpz(bytes).entries.length);
  });

  it(`a hook kind that is not registered is refused by name; registered, it loads [${clauses("serialization.lossless.hooks")}]`, () => {
    const kind = "test_lossless_custom_hook";
    const text = toJSON(base()).replace('"kind":"WeightDecay"', `"kind":"${kind}"`);
    let err: unknown;
    try {
      fromJSON(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownHookKindError);
    expect((err as UnknownHookKindError).kind).toBe(kind);
    expect((err as Error).message).toContain(kind);
    registerHookKind({
      kind,
      defaultName: kind,
      timing: "pre",
      callForEachParam: true,
      clause: "hooks.call.order",
      validate: () => null,
      perParam: ({ param }) => ({ grad: param.grad }),
    });
    expect(fromJSON(text).hooks?.pre[0]?.hook.kind).toBe(kind);
  });

  it("refuses to write a state field it does not know (it would be lost)", () => {
    const s = { ...base(), somethingNew: 1 } as OptimizerState;
    expect(() => toJSON(s)).toThrow(SnapshotFormatError);
    expect(() => toJSON(s)).toThrow(/somethingNew/);
  });
});
