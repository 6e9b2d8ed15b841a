/**
 * Chainer's npz protocol for optimizers: the golden archives Chainer 7.8.1 wrote (key layout, npy
 * bytes, loading them, continuing), and each rule of the protocol (key order, prefix, counters,
 * copy vs adopt, None, strict, disabled rules, ignore_names, what is lost, partial effects).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type LinkStructure,
  type NDArray,
  type NpzEntry,
  type OptimizerState,
  ArchiveKeyMissingError,
  CounterTypeError,
  IgnoreNamesError,
  SerializeTargetError,
  StateDtypeError,
  StateShapeError,
  addHook,
  array,
  createLink,
  createOptimizer,
  getOptimizerDef,
  loadChainer,
  loadNpz,
  lossScaling,
  newEpoch,
  paramPaths,
  saveChainer,
  saveNpz,
  setEnabled,
  setGrads,
  setHyperparam,
  setRuleHyperparam,
  setup,
  update,
  useFp32Update,
  weightDecay,
} from "../../../spec/index.js";
import { type NpyValue, NPY_NONE, encodeNpy } from "../../../spec/serialization/npy.js";
import { readNpz } from "../../../spec/serialization/npz.js";
import { readZip } from "../../../spec/serialization/zip.js";
import {
  type GoldenSerialization,
  SPEC_ENGINE,
  buildTrajectory,
  replaySerialization,
} from "../../../conformance/golden/index.js";
import { GOLDEN_DIR } from "../../helpers/golden-dir.js";
import { gradsFor, smallLink, snapshot } from "../../helpers/fixtures.js";
import { clauses } from "../../helpers/clauses.js";

// ------------------------------------------------------------------ helpers

function trained(
  name: string,
  kwargs: Record<string, number | boolean> = {},
  steps = 2,
  link = smallLink("float32", 5),
): OptimizerState {
  let s = setup(createOptimizer(name, kwargs), link);
  for (let i = 1; i <= steps; i++) s = update(setGrads(s, gradsFor(s, i)));
  return s;
}

function fresh(name: string, kwargs: Record<string, number | boolean> = {}): OptimizerState {
  return setup(createOptimizer(name, kwargs), smallLink("float32", 5));
}

function i64(n: bigint | number, shape: number[] = []): NpyValue {
  return { dtype: "int64", shape, data: BigInt64Array.of(BigInt(n)) };
}

function f32(values: number[], shape: number[] = [values.length]): NpyValue {
  return { dtype: "float32", shape, data: Float64Array.from(values, (x) => Math.fround(x)) };
}

function entryMap(entries: readonly NpzEntry[]): Map<string, NpyValue> {
  return new Map(entries.map((e) => [e.key, e.array]));
}

function withEntry(entries: readonly NpzEntry[], key: string, array: NpyValue | undefined): NpzEntry[] {
  const out = entries.filter((e) => e.key !== key);
  if (array !== undefined) {
    const i = entries.findIndex((e) => e.key === key);
    out.splice(i < 0 ? out.length : i, 0, { key, array });
  }
  return out;
}

/** Run a load that must fail; check that the input state is untouched and return the error. */
function failing<E>(state: OptimizerState, f: () => unknown, cls: new (...a: never[]) => E): E {
  const before = JSON.stringify(snapshot(state));
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect(JSON.stringify(snapshot(state))).toBe(before);
  return err as E;
}

// ------------------------------------------------------------------ golden archives

const goldenFile = join(GOLDEN_DIR, "serialization.json");
const goldenCases: GoldenSerialization[] = existsSync(goldenFile)
  ? (JSON.parse(readFileSync(goldenFile, "utf8")) as { cases: GoldenSerialization[] }).cases.filter(
      (c) => c.kind === "serialization",
    )
  : [];

describe("Chainer's golden npz archives", () => {
  if (goldenCases.length === 0) it.skip(`no golden file at ${goldenFile}`, () => {});
  for (const c of goldenCases) {
    const supported = getOptimizerDef(c.optimizer.class) !== undefined;
    it.skipIf(!supported)(
      `${c.id}: replay, save (keys, dtypes, bits, npy bytes), load, continue [serialization.chainer.key-order]`,
      () => {
        expect(replaySerialization(c, SPEC_ENGINE)).toEqual([]);
      },
    );
    it.skipIf(!supported)(
      `${c.id}: loading Chainer's archive and saving it again gives Chainer's npy members [serialization.chainer.save-values]`,
      () => {
        const ok = c.loads.find((l) => l.load_error === undefined);
        if (ok === undefined) return;
        const last = c.steps[c.steps.length - 1];
        const s0 = buildTrajectory({
          ...c,
          kind: "trajectory",
          initial: { ...c.initial, params: last?.after.params ?? c.initial.params },
          disabled_rules: ok.fresh_optimizer_disabled_rules,
        });
        const archive = new Uint8Array(Buffer.from(c.npz.base64, "base64"));
        const loaded = loadNpz(s0, archive);
        const members = readZip(archive);
        const ours = saveChainer(loaded);
        expect(ours.map((e) => `${e.key}.npy`)).toEqual(members.map((m) => m.name));
        ours.forEach((e, i) =>
          expect(Buffer.from(encodeNpy(e.array)).equals(Buffer.from(members[i]?.data ?? []))).toBe(true),
        );
        // And the archive we write reads back to the same entries.
        const again = readNpz(saveNpz(loaded)).entries;
        expect(again.map((e) => e.key)).toEqual(ours.map((e) => e.key));
      },
    );
  }
});

// ------------------------------------------------------------------ saving

describe("saveChainer: Chainer's key order and values", () => {
  it(`t, epoch, then per parameter in namedparams order: <path>/t then the state in insertion order [${clauses("serialization.chainer.key-order")}]`, () => {
    let s = trained("Adam", { amsgrad: true });
    s = newEpoch(newEpoch(newEpoch(s)));
    const entries = saveChainer(s);
    const paths = paramPaths((s.target as NonNullable<OptimizerState["target"]>).structure).map((p) => p.slice(1));
    expect(entries.map((e) => e.key)).toEqual([
      "t",
      "epoch",
      ...paths.flatMap((p) => [`${p}/t`, `${p}/m`, `${p}/v`, `${p}/vhat`]),
    ]);
    const m = entryMap(entries);
    expect(m.get("t")).toEqual(i64(2));
    expect(m.get("epoch")).toEqual(i64(3));
    expect(m.get("enc/W/t")).toEqual(i64(2));
    expect(m.get("enc/W/m")).toMatchObject({ dtype: "float32", shape: [2, 3] });
  });

  it(`the AdaDelta example of Chainer's test, with and without a prefix [${clauses("serialization.chainer.prefix")}]`, () => {
    const dtype = "float32" as const;
    const linear: LinkStructure = {
      kind: "link",
      params: [
        { name: "W", dtype, shape: [2, 3] },
        { name: "b", dtype, shape: [2] },
      ],
      children: [],
    };
    const child: LinkStructure = {
      kind: "chain",
      params: [{ name: "Wc", dtype, shape: [2] }],
      children: [{ name: "linear", link: linear }],
    };
    const structure: LinkStructure = {
      kind: "chain",
      params: [{ name: "Wp", dtype, shape: [3] }],
      children: [{ name: "child", link: child }],
    };
    const data: Record<string, NDArray> = {};
    for (const [p, shape] of Object.entries({
      "/Wp": [3],
      "/child/Wc": [2],
      "/child/linear/W": [2, 3],
      "/child/linear/b": [2],
    })) {
      data[p] = array(
        dtype,
        shape,
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 7),
      );
    }
    const name = getOptimizerDef("AdaDelta") === undefined ? "MomentumSGD" : "AdaDelta";
    let s = setup(createOptimizer(name), createLink(structure, data));
    s = update(setGrads(s, gradsFor(s, 3)));
    const stateKeys = name === "AdaDelta" ? ["msg", "msdx"] : ["v"];
    const expected = [
      "t",
      "epoch",
      ...["Wp", "child/Wc", "child/linear/W", "child/linear/b"].flatMap((p) => [
        `${p}/t`,
        ...stateKeys.map((k) => `${p}/${k}`),
      ]),
    ];
    expect(saveChainer(s).map((e) => e.key)).toEqual(expected);
    expect(saveChainer(s, { prefix: "test/" }).map((e) => e.key)).toEqual(expected.map((k) => `test/${k}`));
  });

  it(`before the first update only the t keys are written; states keep their own dtype (float32 masters of float16 params) [${clauses("serialization.chainer.save-values")}]`, () => {
    expect(saveChainer(fresh("Adam")).map((e) => e.key)).toEqual([
      "t",
      "epoch",
      "u/t",
      "dec/w/t",
      "enc/W/t",
      "enc/b/t",
    ]);
    let s = useFp32Update(setup(createOptimizer("Adam"), smallLink("float16", 2)));
    s = update(setGrads(s, gradsFor(s, 1)));
    const m = entryMap(saveChainer(s));
    expect(m.get("u/m")).toMatchObject({ dtype: "float32", shape: [3] });
  });

  it(`hyperparameters, hooks, loss scale, enabled and extras are not saved [${clauses("serialization.chainer.lossy")}]`, () => {
    const a = trained(getOptimizerDef("MSVAG") === undefined ? "Adam" : "MSVAG", {}, 2);
    let b = setHyperparam(a, Object.keys(a.hyperparam)[0] as string, 0.123);
    b = setRuleHyperparam(b, "/u", Object.keys(a.hyperparam)[0] as string, 0.5);
    b = addHook(b, weightDecay(0.1));
    b = lossScaling(b, { interval: 2 });
    b = setEnabled(b, "/u", false);
    b = {
      ...b,
      rules: {
        ...b.rules,
        "/u": { ...(b.rules["/u"] as NonNullable<OptimizerState["rules"][string]>), extras: { beta_power: 0.5 } },
      },
    };
    expect(snapshot(saveChainer(b))).toEqual(snapshot(saveChainer(a)));
  });

  it("needs a target: AttributeError after t and epoch", () => {
    const err = failing(createOptimizer("SGD"), () => saveChainer(createOptimizer("SGD")), SerializeTargetError);
    expect(err.chainer).toEqual({ type: "AttributeError", str: "'NoneType' object has no attribute 'namedparams'" });
  });
});

// ------------------------------------------------------------------ loading

describe("loadChainer: Chainer's deserializer rules", () => {
  const saved = trained("Adam", {}, 3);
  const entries = saveChainer(newEpoch(saved));

  it(`round trip into a fresh optimizer: counters, rule t and states restored; the rest untouched [${clauses("serialization.chainer.load.adopt", "serialization.chainer.lossy")}]`, () => {
    let target = fresh("Adam", { alpha: 0.5 });
    target = addHook(target, weightDecay(0.2));
    const loaded = loadChainer(target, entries);
    expect(loaded.t).toBe(3);
    expect(loaded.epoch).toBe(1);
    for (const p of Object.keys(saved.rules)) {
      expect(loaded.rules[p]?.t).toBe(3);
      expect(snapshot(loaded.rules[p]?.state)).toEqual(snapshot(saved.rules[p]?.state));
    }
    expect(loaded.hyperparam["alpha"]).toBe(0.5);
    expect(loaded.hooks).toBe(target.hooks);
    expect(loaded.target).toBe(target.target);
    // Continuing from it equals continuing the original (same hyperparameters there).
    const a = update(setGrads(saved, gradsFor(saved, 9)));
    const b = update(setGrads(loadChainer(fresh("Adam"), entries), gradsFor(saved, 9)));
    expect(snapshot(b.rules)).toEqual(snapshot(a.rules));
  });

  it(`adopted states keep the file's dtype; existing states keep theirs and are cast (same-kind) [${clauses("serialization.chainer.load.copy")}]`, () => {
    const f64 = entries.map((e) =>
      e.array !== NPY_NONE && "dtype" in e.array && e.array.dtype === "float32"
        ? { key: e.key, array: { ...e.array, dtype: "float64" as const } }
        : e,
    );
    const adopted = loadChainer(fresh("Adam"), f64);
    expect(adopted.rules["/u"]?.state?.["m"]?.dtype).toBe("float64");
    // Into an existing float16 state: rounded to float16.
    let h = setup(createOptimizer("Adam"), smallLink("float16", 5));
    h = update(setGrads(h, gradsFor(h, 1)));
    const loaded = loadChainer(h, withEntry(entries, "u/m", f32([0.1, 1 / 3, 70000])));
    const m = loaded.rules["/u"]?.state?.["m"] as NDArray;
    expect(m.dtype).toBe("float16");
    expect(Array.from(m.data)).toEqual([0.0999755859375, 0.333251953125, Infinity]);
    // Integer and bool entries cast too.
    const ints = loadChainer(
      saved,
      withEntry(entries, "u/m", { dtype: "int32", shape: [3], data: Float64Array.of(1, -2, 3) }),
    );
    expect(Array.from(ints.rules["/u"]?.state?.["m"]?.data ?? [])).toEqual([1, -2, 3]);
    const big = loadChainer(
      saved,
      withEntry(entries, "u/m", {
        dtype: "int64",
        shape: [3],
        data: BigInt64Array.of(2n ** 60n + 1n, -(2n ** 24n) - 1n, 16777217n),
      }),
    );
    expect(Array.from(big.rules["/u"]?.state?.["m"]?.data ?? [])).toEqual([2 ** 60, -(2 ** 24), 16777216]);
  });

  it(`existing states broadcast like numpy.copyto; a shape that does not broadcast fails with numpy's ValueError [${clauses("serialization.chainer.load.copy")}]`, () => {
    const row = loadChainer(saved, withEntry(entries, "enc/W/m", f32([1, 2, 3], [1, 1, 3])));
    expect(Array.from(row.rules["/enc/W"]?.state?.["m"]?.data ?? [])).toEqual([1, 2, 3, 1, 2, 3]);
    const col = loadChainer(saved, withEntry(entries, "enc/W/m", f32([1, 2], [2, 1])));
    expect(Array.from(col.rules["/enc/W"]?.state?.["m"]?.data ?? [])).toEqual([1, 1, 1, 2, 2, 2]);
    const scalar = loadChainer(saved, withEntry(entries, "u/v", f32([0.5], [])));
    expect(Array.from(scalar.rules["/u"]?.state?.["v"]?.data ?? [])).toEqual([0.5, 0.5, 0.5]);
    const err = failing(saved, () => loadChainer(saved, withEntry(entries, "u/m", f32([1, 2, 3, 4]))), StateShapeError);
    expect(err.chainer).toEqual({
      type: "ValueError",
      str: "could not broadcast input array from shape (4,) into shape (3,)",
    });
    expect(err.key).toBe("u/m");
    const lead = failing(
      saved,
      () => loadChainer(saved, withEntry(entries, "enc/W/m", f32([1, 2, 3, 4], [1, 1, 2, 2]))),
      StateShapeError,
    );
    expect(lead.chainer.str).toBe("could not broadcast input array from shape (2,2) into shape (2,3)");
    // Chainer's partial effect: t, epoch and the rule's t are already loaded.
    expect(err.partial?.epoch).toBe(1);
  });

  it(`adopting an entry of the wrong shape or a non-float dtype is refused (deviation) [${clauses("serialization.chainer.load.adopt")}]`, () => {
    const s = fresh("Adam");
    const shape = failing(s, () => loadChainer(s, withEntry(entries, "u/m", f32([1, 2]))), StateShapeError);
    expect(shape.message).toContain("u/m");
    expect(shape.chainer.type).toBe("None");
    const dtype = failing(
      s,
      () => loadChainer(s, withEntry(entries, "u/m", { dtype: "int32", shape: [3], data: Float64Array.of(1, 2, 3) })),
      StateDtypeError,
    );
    expect(dtype.message).toContain("int32");
  });

  it(`counters: int64 exact, bool and size-1 arrays accepted; float and multi-element refused with Chainer's TypeError, negative refused [${clauses("serialization.chainer.load.counter", "invariants.counters")}]`, () => {
    const s = fresh("SGD");
    const base = saveChainer(s);
    expect(loadChainer(s, withEntry(base, "t", i64(2n ** 52n))).t).toBe(2 ** 52);
    // Deviation: Chainer loads a negative int; the spec's counters are non-negative (invariants.counters).
    const negative = failing(s, () => loadChainer(s, withEntry(base, "t", i64(-1n))), CounterTypeError);
    expect(negative.chainer.type).toBe("None");
    expect(negative.message).toContain("negative");
    expect(loadChainer(s, withEntry(base, "t", { dtype: "bool", shape: [], data: Float64Array.of(1) })).t).toBe(1);
    expect(loadChainer(s, withEntry(base, "t", { dtype: "uint32", shape: [1, 1], data: Float64Array.of(7) })).t).toBe(
      7,
    );
    const f = failing(
      s,
      () => loadChainer(s, withEntry(base, "t", { dtype: "float32", shape: [], data: Float64Array.of(3) })),
      CounterTypeError,
    );
    expect(f.chainer).toEqual({
      type: "TypeError",
      str: "Cannot safely deserialize from numpy array with dtype=float32 into a variable of type <class 'int'>.",
    });
    const two = failing(
      s,
      () => loadChainer(s, withEntry(base, "epoch", { dtype: "int64", shape: [2], data: BigInt64Array.of(1n, 2n) })),
      CounterTypeError,
    );
    expect(two.chainer).toEqual({ type: "TypeError", str: "only size-1 arrays can be converted to Python scalars" });
    expect(two.partial?.t).toBe(0);
    const huge = failing(s, () => loadChainer(s, withEntry(base, "u/t", i64(2n ** 60n + 1n))), CounterTypeError);
    expect(huge.key).toBe("u/t");
    failing(s, () => loadChainer(s, withEntry(base, "t", NPY_NONE)), CounterTypeError);
  });

  it(`strict: a missing key is numpy's KeyError, with Chainer's partial effect [${clauses("serialization.chainer.load.strict", "serialization.chainer.load.partial")}]`, () => {
    const before = saveChainer(fresh("Adam"));
    const s = fresh("Adam");
    const err = failing(s, () => loadChainer(s, before), ArchiveKeyMissingError);
    expect(err.chainer).toEqual({ type: "KeyError", str: "'u/m is not a file in the archive'" });
    expect(err.partial?.rules["/u"]?.state).toEqual({});
    // amsgrad turned on before loading: keys come from the CURRENT hyperparameters.
    const ams = setHyperparam(fresh("Adam"), "amsgrad", true);
    const e2 = failing(ams, () => loadChainer(ams, entries), ArchiveKeyMissingError);
    expect(e2.chainer.str).toBe("'u/vhat is not a file in the archive'");
    expect(Object.keys(e2.partial?.rules["/u"]?.state ?? {})).toEqual(["m", "v"]);
    expect(e2.partial?.rules["/u"]?.t).toBe(3);
    expect(e2.partial?.t).toBe(3);
    // Missing state key of an existing state.
    const e3 = failing(
      saved,
      () => loadChainer(saved, withEntry(entries, "dec/w/v", undefined)),
      ArchiveKeyMissingError,
    );
    expect(e3.key).toBe("dec/w/v");
    expect(snapshot(e3.partial?.rules["/dec/w"]?.state?.["m"])).toEqual(snapshot(saved.rules["/dec/w"]?.state?.["m"]));
  });

  it(`non-strict: missing keys leave values as they are; a state being adopted goes back to None [${clauses("serialization.chainer.load.none")}]`, () => {
    const s = fresh("Adam");
    const partial = loadChainer(s, withEntry(withEntry(entries, "u/v", undefined), "t", undefined), { strict: false });
    expect(partial.t).toBe(0);
    expect(partial.epoch).toBe(1);
    expect(partial.rules["/u"]?.t).toBe(3);
    expect(partial.rules["/u"]?.state).toBeNull();
    expect(partial.rules["/dec/w"]?.state).not.toBeNull();
    const kept = loadChainer(saved, withEntry(entries, "u/v", undefined), { strict: false });
    expect(kept.rules["/u"]?.state?.["v"]).toEqual(saved.rules["/u"]?.state?.["v"]);
  });

  it(`a stored None sets an adopting rule's state to None; into an existing state it is refused (deviation) [${clauses("serialization.chainer.load.none")}]`, () => {
    const s = fresh("Adam");
    const none = loadChainer(s, withEntry(entries, "u/v", NPY_NONE));
    expect(none.rules["/u"]?.state).toBeNull();
    expect(none.rules["/u"]?.t).toBe(3);
    failing(saved, () => loadChainer(saved, withEntry(entries, "u/v", NPY_NONE)), StateDtypeError);
  });

  it(`disabled rules tolerate missing state keys while adopting, not their t, not when the state exists [${clauses("serialization.chainer.load.disabled")}]`, () => {
    const noState = entries.filter((e) => !/^u\/[mv]$/.test(e.key));
    const s = setEnabled(fresh("Adam"), "/u", false);
    const loaded = loadChainer(s, noState);
    expect(loaded.rules["/u"]?.t).toBe(3);
    expect(loaded.rules["/u"]?.state).toBeNull();
    expect(loaded.rules["/u"]?.enabled).toBe(false);
    failing(s, () => loadChainer(s, withEntry(entries, "u/t", undefined)), ArchiveKeyMissingError);
    const withState = setEnabled(saved, "/u", false);
    const e = failing(withState, () => loadChainer(withState, noState), ArchiveKeyMissingError);
    expect(e.key).toBe("u/m");
  });

  it(`prefix is concatenated verbatim: 'opt' looks up 'optt' [${clauses("serialization.chainer.prefix")}]`, () => {
    const prefixed = saveChainer(saved, { prefix: "updater/optimizer:main/" });
    expect(prefixed[0]?.key).toBe("updater/optimizer:main/t");
    const ok = loadChainer(fresh("Adam"), prefixed, { prefix: "updater/optimizer:main/" });
    expect(ok.t).toBe(3);
    const s = fresh("Adam");
    const e = failing(
      s,
      () => loadChainer(s, saveChainer(saved, { prefix: "opt/" }), { prefix: "opt" }),
      ArchiveKeyMissingError,
    );
    expect(e.chainer.str).toBe("'optt is not a file in the archive'");
  });

  it(`ignoreNames: a string, a predicate or a list of them; anything else is Chainer's ValueError [${clauses("serialization.chainer.load.ignore-names")}]`, () => {
    const s = fresh("Adam");
    expect(loadChainer(s, entries, { ignoreNames: "t" }).t).toBe(0);
    const pred = loadChainer(s, entries, { ignoreNames: (k: string) => k.startsWith("u/") });
    expect(pred.rules["/u"]?.t).toBe(0);
    expect(pred.rules["/u"]?.state).toBeNull();
    expect(pred.rules["/dec/w"]?.t).toBe(3);
    const list = loadChainer(s, entries, { ignoreNames: ["epoch", (k: string) => k === "enc/b/v"] });
    expect(list.epoch).toBe(0);
    expect(list.rules["/enc/b"]?.state).toBeNull();
    const bad = failing(s, () => loadChainer(s, entries, { ignoreNames: [42 as unknown as string] }), IgnoreNamesError);
    expect(bad.chainer).toEqual({
      type: "ValueError",
      str: "ignore_names needs to be a callable, string or list of them.",
    });
  });

  it(`entries the walk does not ask for are ignored; inputs are never modified [${clauses("serialization.chainer.load.order")}]`, () => {
    const extra = [...entries, { key: "something/else", array: f32([1]) }, { key: "u/zzz", array: NPY_NONE }];
    const dump = (x: unknown) => JSON.stringify(snapshot(x), (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    const before = dump(extra);
    const a = loadChainer(fresh("Adam"), extra);
    expect(snapshot(a.rules)).toEqual(snapshot(loadChainer(fresh("Adam"), entries).rules));
    expect(dump(extra)).toBe(before);
  });

  it("needs a target: AttributeError after t and epoch were loaded", () => {
    const s = createOptimizer("Adam");
    const e = failing(s, () => loadChainer(s, entries), SerializeTargetError);
    expect(e.partial?.t).toBe(3);
    expect(e.partial?.epoch).toBe(1);
  });

  it("saveNpz / loadNpz through the codec, compressed or stored", () => {
    for (const compress of [true, false]) {
      const bytes = saveNpz(saved, { compress });
      expect(readNpz(bytes).entries.map((e) => e.key)).toEqual(saveChainer(saved).map((e) => e.key));
      expect(snapshot(loadNpz(fresh("Adam"), bytes).rules)).toEqual(snapshot(saved.rules));
    }
  });
});
