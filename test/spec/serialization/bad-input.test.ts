/**
 * Bad input to every loader of snapshots (Chainer's npz, optspec's lossless JSON and npz): each
 * kind of damage is refused with a documented error class naming the key, entry or place and what
 * was expected, and the state the caller holds is exactly as before. Then fuzzing: random bytes and
 * mutations of valid files never let anything but `SerializationError` subclasses escape.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type NpzEntry,
  type OptimizerState,
  ArchiveFormatError,
  ArchiveKeyMissingError,
  CounterTypeError,
  SerializationError,
  SnapshotFormatError,
  SnapshotVersionError,
  StateDtypeError,
  StateShapeError,
  UnknownHookKindError,
  UnknownOptimizerError,
  LOSSLESS_META_KEY,
  LOSSLESS_VERSION,
  addHook,
  createOptimizer,
  fromJSON,
  gradientNoise,
  loadLossless,
  loadNpz,
  saveChainer,
  saveLossless,
  saveNpz,
  setGrads,
  setup,
  toJSON,
  update,
  weightDecay,
} from "../../../spec/index.js";
import { NpzFormatError } from "../../../spec/serialization/errors.js";
import { type NpyDtype, type NpyValue, DTYPE_INFO, NPY_DTYPES, NPY_NONE } from "../../../spec/serialization/npy.js";
import { readNpz, writeNpz } from "../../../spec/serialization/npz.js";
import { gradsFor, smallLink, snapshot } from "../../helpers/fixtures.js";
import { clauses } from "../../helpers/clauses.js";

// ------------------------------------------------------------------ fixtures

function trainedAdam(): OptimizerState {
  let s = setup(createOptimizer("Adam", { amsgrad: true }), smallLink("float32", 11));
  s = addHook(s, weightDecay(1e-3));
  s = addHook(s, gradientNoise(0.01, { name: "exponential_decay_noise", seed: 2 }), {}, { rule: "/enc/W" });
  for (let i = 1; i <= 2; i++) s = update(setGrads(s, gradsFor(s, i)));
  return s;
}

const saved = trainedAdam();
const freshAdam = (): OptimizerState => setup(createOptimizer("Adam", { amsgrad: true }), smallLink("float32", 11));
const chainerEntries = saveChainer(saved);
const chainerCompressed = saveNpz(saved);
const chainerStored = saveNpz(saved, { compress: false });
const losslessText = toJSON(saved);
const losslessCompressed = saveLossless(saved);
const losslessStored = saveLossless(saved, { compress: false });

/** Catch the error of `f` (which must throw). */
function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error, the call succeeded");
}

/** Load into `held`: on failure, the caller keeps `held`, untouched; returns the error. */
function refusedInto(held: OptimizerState, load: (s: OptimizerState) => OptimizerState): SerializationError {
  const before = JSON.stringify(snapshot(held));
  let state = held;
  const err = caught(() => {
    state = load(held);
  });
  expect(err).toBeInstanceOf(SerializationError);
  expect(state).toBe(held);
  expect(JSON.stringify(snapshot(held))).toBe(before);
  return err as SerializationError;
}

function refused(f: () => unknown): SerializationError {
  const err = caught(f);
  expect(err).toBeInstanceOf(SerializationError);
  return err as SerializationError;
}

/** The document with one change applied at `path` (keys and array indices); `undefined` deletes. */
function edit(text: string, path: readonly (string | number)[], value: unknown): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  let o: Record<string | number, unknown> = doc;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return JSON.stringify(doc);
}

function withEntry(entries: readonly NpzEntry[], key: string, array: NpyValue | undefined): NpzEntry[] {
  const out = entries.filter((e) => e.key !== key);
  if (array !== undefined) out.push({ key, array });
  return out;
}

function findMember(bytes: Uint8Array, name: string): number {
  return Buffer.from(bytes).indexOf(Buffer.from(name, "latin1"));
}

// ------------------------------------------------------------------ Chainer's npz

describe("loadNpz refuses damaged archives; the held state is unchanged", () => {
  it(`truncated archives [${clauses("serialization.errors.load-only-documented")}]`, () => {
    for (const bytes of [chainerCompressed, chainerStored]) {
      for (const at of [0, 4, 30, Math.floor(bytes.length / 2), bytes.length - 22, bytes.length - 1]) {
        const err = refusedInto(freshAdam(), (s) => loadNpz(s, bytes.subarray(0, at)));
        expect(err).toBeInstanceOf(ArchiveFormatError);
        expect((err as ArchiveFormatError).cause).toBeInstanceOf(NpzFormatError);
      }
    }
  });

  it("a checksum mismatch names the member", () => {
    const bytes = chainerStored.slice();
    // The last byte of the data of member "u/m.npy" (stored: raw npy bytes follow the local header).
    const i = findMember(bytes, "u/v.npy");
    expect(i).toBeGreaterThan(0);
    bytes[i - 30 - 1] = (bytes[i - 30 - 1] as number) ^ 0x01; // the byte before u/v's local header: u/m's last data byte
    const err = refusedInto(freshAdam(), (s) => loadNpz(s, bytes)) as ArchiveFormatError;
    expect(err).toBeInstanceOf(ArchiveFormatError);
    expect(err.entry).toBe("u/m.npy");
    expect(err.message).toMatch(/CRC|checksum/i);
    expect(err.message).toContain("u/m.npy");
  });

  it("corrupted compressed data, garbage, an empty file", () => {
    const bytes = chainerCompressed.slice();
    bytes[60] = (bytes[60] as number) ^ 0xff;
    refusedInto(freshAdam(), (s) => loadNpz(s, bytes));
    refusedInto(freshAdam(), (s) => loadNpz(s, new TextEncoder().encode("not a zip file at all")));
    refusedInto(freshAdam(), (s) => loadNpz(s, new Uint8Array(0)));
  });

  it("a state with the wrong shape or dtype, a missing key, a non-integer counter: named, nothing loaded", () => {
    const cases: [NpzEntry[], new (...a: never[]) => SerializationError, string][] = [
      [
        withEntry(chainerEntries, "u/m", { dtype: "float32", shape: [4], data: new Float64Array(4) }),
        StateShapeError,
        "u/m",
      ],
      [
        withEntry(chainerEntries, "u/m", { dtype: "int16", shape: [3], data: new Float64Array(3) }),
        StateDtypeError,
        "u/m",
      ],
      [withEntry(chainerEntries, "dec/w/vhat", undefined), ArchiveKeyMissingError, "dec/w/vhat"],
      [
        withEntry(chainerEntries, "epoch", { dtype: "float64", shape: [], data: Float64Array.of(1.5) }),
        CounterTypeError,
        "epoch",
      ],
      [
        withEntry(chainerEntries, "enc/b/t", { dtype: "float32", shape: [], data: Float64Array.of(2) }),
        CounterTypeError,
        "enc/b/t",
      ],
      [withEntry(chainerEntries, "t", NPY_NONE), CounterTypeError, "t"],
    ];
    for (const [entries, cls, key] of cases) {
      const bytes = writeNpz(entries, { compress: true });
      const err = refusedInto(freshAdam(), (s) => loadNpz(s, bytes));
      expect(err).toBeInstanceOf(cls);
      expect(err.message).toContain(`"${key}"`);
    }
    // Into a state that has its own states (copy path) too.
    const err = refusedInto(saved, (s) =>
      loadNpz(
        s,
        writeNpz(withEntry(chainerEntries, "enc/W/v", { dtype: "float32", shape: [3, 2], data: new Float64Array(6) }), {
          compress: false,
        }),
      ),
    );
    expect(err).toBeInstanceOf(StateShapeError);
    expect(err.chainer.str).toBe("could not broadcast input array from shape (3,2) into shape (2,3)");
  });
});

// ------------------------------------------------------------------ lossless JSON

describe(`fromJSON refuses malformed snapshots, naming the place and what was expected [${clauses("serialization.lossless.validate")}]`, () => {
  const expectAt = (
    text: string,
    cls: new (...a: never[]) => SerializationError,
    at?: string | RegExp,
  ): SerializationError => {
    const held = saved;
    let state = held;
    const err = refused(() => {
      state = fromJSON(text);
    });
    expect(state).toBe(held);
    expect(err).toBeInstanceOf(cls);
    if (at !== undefined && err instanceof SnapshotFormatError) {
      if (typeof at === "string") expect(err.at).toBe(at);
      else expect(err.at).toMatch(at);
      expect(err.expected.length).toBeGreaterThan(0);
    }
    return err;
  };

  it(`malformed JSON, not a snapshot, a format version from the future [${clauses("serialization.lossless.version")}]`, () => {
    expectAt(losslessText.slice(0, -1), SnapshotFormatError, "$");
    expectAt("", SnapshotFormatError, "$");
    expectAt("[1, 2]", SnapshotFormatError, "$.format");
    expectAt(edit(losslessText, ["format"], "something-else"), SnapshotFormatError, "$.format");
    const future = expectAt(edit(losslessText, ["version"], LOSSLESS_VERSION + 1), SnapshotVersionError);
    expect(future.message).toMatch(/newer/);
    expectAt(edit(losslessText, ["version"], "1"), SnapshotVersionError);
    expectAt(edit(losslessText, ["version"], 0), SnapshotVersionError);
    expectAt(edit(losslessText, ["version"], 1.5), SnapshotVersionError);
  });

  it("missing and extra keys", () => {
    expectAt(edit(losslessText, ["epoch"], undefined), SnapshotFormatError, "$.epoch");
    expectAt(edit(losslessText, ["extra"], 1), SnapshotFormatError, "$.extra");
    expectAt(edit(losslessText, ["lossScale", "isnan"], undefined), SnapshotFormatError, "$.lossScale.isnan");
    expectAt(edit(losslessText, ["rules", 0, 1, "surprise"], true), SnapshotFormatError, "$.rules[/u].surprise");
    // A parameter missing from the target, and a rule for a parameter that does not exist.
    const doc = JSON.parse(losslessText) as { target: { params: unknown[] }; rules: unknown[] };
    expectAt(
      JSON.stringify({ ...doc, target: { ...doc.target, params: doc.target.params.slice(1) } }),
      SnapshotFormatError,
      "$.target.params",
    );
    expectAt(
      JSON.stringify({ ...doc, rules: [...doc.rules, ["/nope", (doc.rules[0] as unknown[])[1]]] }),
      SnapshotFormatError,
      "$.rules[/nope]",
    );
  });

  it("non-integer counters and inexact numbers", () => {
    expectAt(edit(losslessText, ["t"], 1.5), SnapshotFormatError, "$.t");
    expectAt(edit(losslessText, ["t"], { f: "3ff8000000000000" }), SnapshotFormatError, "$.t");
    expectAt(edit(losslessText, ["rules", 1, 1, "t"], "2"), SnapshotFormatError, "$.rules[/dec/w].t");
    expectAt(edit(losslessText, ["hyperparam", 0, 1], 0.001), SnapshotFormatError, "$.hyperparam.alpha");
    expectAt(
      edit(losslessText, ["hyperparam", 0, 1], { f: "3f50624dd2f1a9f" }),
      SnapshotFormatError,
      "$.hyperparam.alpha",
    );
  });

  it("arrays: wrong dtype, wrong shape, bits that do not match", () => {
    const state = ["rules", 0, 1, "state", 0, 1] as const;
    expectAt(edit(losslessText, [...state, "dtype"], "int32"), SnapshotFormatError, "$.rules[/u].state.m.dtype");
    expectAt(edit(losslessText, [...state, "shape"], [4]), SnapshotFormatError, "$.rules[/u].state.m.bits");
    expectAt(edit(losslessText, [...state, "shape"], [1, 3]), SnapshotFormatError, "$.rules[/u].state.m");
    expectAt(edit(losslessText, [...state, "shape"], [1e300]), SnapshotFormatError, "$.rules[/u].state.m.shape[0]");
    expectAt(
      edit(losslessText, [...state, "shape"], [2 ** 40, 2 ** 40]),
      SnapshotFormatError,
      "$.rules[/u].state.m.bits",
    );
    expectAt(
      edit(losslessText, [...state, "bits"], "3f800000 zzzzzzzz 3f800000"),
      SnapshotFormatError,
      "$.rules[/u].state.m.bits[1]",
    );
    expectAt(
      edit(losslessText, [...state, "bits"], "3f80 3f80 3f80"),
      SnapshotFormatError,
      "$.rules[/u].state.m.bits[0]",
    );
    const f64 = { dtype: "float64", shape: [3], bits: "3ff0000000000000 0000000000000000 8000000000000000" };
    expectAt(
      edit(losslessText, ["target", "params", 0, 1, "data"], f64),
      SnapshotFormatError,
      "$.target.params[/u].data",
    );
    expectAt(
      edit(losslessText, ["target", "params", 0, 1, "data", "dtype"], "float64"),
      SnapshotFormatError,
      "$.target.params[/u].data.bits[0]",
    );
    expectAt(
      edit(losslessText, ["rules", 0, 1, "fp32Param"], { dtype: "float16", shape: [3], bits: "0000 0000 0000" }),
      SnapshotFormatError,
      "$.rules[/u].fp32Param",
    );
  });

  it("unknown optimizer, unknown hook kind, bad hook arguments, duplicate names", () => {
    expect(expectAt(edit(losslessText, ["optimizer"], "Adamax"), UnknownOptimizerError).message).toContain("Adamax");
    const unk = expectAt(
      losslessText.replace('"kind":"WeightDecay"', '"kind":"NoSuchHook"'),
      UnknownHookKindError,
    ) as UnknownHookKindError;
    expect(unk.kind).toBe("NoSuchHook");
    expectAt(
      losslessText.replace('"args":{"o":[["rate"', '"args":{"o":[["rat"'),
      SnapshotFormatError,
      "$.hooks.pre[0].hook.args",
    );
    const doc = JSON.parse(losslessText) as { hooks: { pre: unknown[]; post: unknown[] } };
    expectAt(
      JSON.stringify({ ...doc, hooks: { pre: doc.hooks.pre, post: doc.hooks.pre } }),
      SnapshotFormatError,
      "$.hooks.post[0].name",
    );
    expectAt(
      edit(
        losslessText,
        ["hyperparam"],
        [
          ["alpha", 1],
          ["alpha", 2],
        ],
      ),
      SnapshotFormatError,
      "$.hyperparam[1]",
    );
    expectAt(edit(losslessText, ["hyperparam", 0, 1], null), SnapshotFormatError, "$.hyperparam.alpha");
    expectAt(edit(losslessText, ["hyperparam"], []), SnapshotFormatError, "$.hyperparam.alpha");
    // GradientNoise's generator state (on the rule of /enc/W) must be numpy's RandomState state.
    const noise = ["rules", 2, 1, "hooks", "pre", 0, "state"] as const;
    expectAt(
      edit(losslessText, [...noise, "o", 0, 1], { a: [1, 2, 3] }),
      SnapshotFormatError,
      "$.rules[/enc/W].hooks.pre[0].state",
    );
    expectAt(edit(losslessText, [...noise], null), SnapshotFormatError, "$.rules[/enc/W].hooks.pre[0].state");
  });
});

// ------------------------------------------------------------------ lossless npz

describe("loadLossless refuses malformed archives", () => {
  const entries = readNpz(losslessStored).entries;
  const rewrite = (f: (e: NpzEntry[]) => NpzEntry[]) => writeNpz(f([...entries]), { compress: false });

  it("truncated, corrupted, checksum mismatch → ArchiveFormatError", () => {
    for (const at of [0, 10, 100, losslessStored.length - 1])
      expect(refused(() => loadLossless(losslessStored.subarray(0, at)))).toBeInstanceOf(ArchiveFormatError);
    const bytes = losslessStored.slice();
    const i = findMember(bytes, "target/params/u/data.npy");
    bytes[i + 40 + 128] = (bytes[i + 40 + 128] as number) ^ 0x10;
    const err = refused(() => loadLossless(bytes)) as ArchiveFormatError;
    expect(err).toBeInstanceOf(ArchiveFormatError);
    expect(err.entry).toBe("target/params/u/data.npy");
  });

  it("missing, extra, twice-referenced and non-float members; a bad document member", () => {
    const at = (bytes: Uint8Array, re: RegExp) => {
      const err = refused(() => loadLossless(bytes));
      expect(err).toBeInstanceOf(SnapshotFormatError);
      expect((err as SnapshotFormatError).at).toMatch(re);
    };
    at(
      rewrite((e) => e.filter((x) => x.key !== LOSSLESS_META_KEY)),
      /__optspec__/,
    );
    at(
      rewrite((e) => e.filter((x) => x.key !== "rules/u/state/v")),
      /rules\/u\/state\/v\.npy/,
    );
    at(
      rewrite((e) => [...e, { key: "stray", array: { dtype: "float32", shape: [1], data: new Float64Array(1) } }]),
      /stray\.npy/,
    );
    at(
      rewrite((e) =>
        e.map((x) =>
          x.key === "rules/u/state/m"
            ? { key: x.key, array: { dtype: "int32", shape: [3], data: new Float64Array(3) } }
            : x,
        ),
      ),
      /rules\/u\/state\/m\.npy/,
    );
    at(
      rewrite((e) =>
        e.map((x) =>
          x.key === LOSSLESS_META_KEY
            ? { key: x.key, array: { dtype: "int8", shape: [1], data: new Float64Array(1) } }
            : x,
        ),
      ),
      /__optspec__/,
    );
    at(
      rewrite((e) =>
        e.map((x) =>
          x.key === LOSSLESS_META_KEY
            ? { key: x.key, array: { dtype: "uint8", shape: [2], data: Float64Array.of(0xc3, 0x28) } }
            : x,
        ),
      ),
      /__optspec__/,
    );
    const text = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(entries[0]?.array && "data" in entries[0].array ? (entries[0].array.data as Float64Array) : []),
      ),
    ) as Record<string, unknown>;
    const twice = JSON.stringify(text).replace('"npy":"rules/u/state/v"', '"npy":"rules/u/state/m"');
    const bytes = new TextEncoder().encode(twice);
    at(
      rewrite((e) =>
        e.map((x) =>
          x.key === LOSSLESS_META_KEY
            ? { key: x.key, array: { dtype: "uint8", shape: [bytes.length], data: Float64Array.from(bytes) } }
            : x,
        ),
      ),
      /rules\/u\/state\/m\.npy/,
    );
    const future = new TextEncoder().encode(JSON.stringify({ ...text, version: LOSSLESS_VERSION + 7 }));
    expect(
      refused(() =>
        loadLossless(
          rewrite((e) =>
            e.map((x) =>
              x.key === LOSSLESS_META_KEY
                ? { key: x.key, array: { dtype: "uint8", shape: [future.length], data: Float64Array.from(future) } }
                : x,
            ),
          ),
        ),
      ),
    ).toBeInstanceOf(SnapshotVersionError);
  });
});

// ------------------------------------------------------------------ fuzzing

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; n: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
  },
);

function mutate(bytes: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of muts) {
    const at = m.at % (b.length + 1);
    if (m.kind === "truncate") b = b.slice(0, at);
    else if (m.kind === "insert") b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.kind === "delete") b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.n)]);
    else if (at < b.length) b[at] = m.kind === "flip" ? (b[at] as number) ^ (1 << m.bit) : m.value;
  }
  return b;
}

/** Only documented errors escape; when it loads, the result is a state we can save again. */
function onlyDocumented(f: () => OptimizerState): void {
  let s: OptimizerState;
  try {
    s = f();
  } catch (e) {
    if (!(e instanceof SerializationError)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
    return;
  }
  expect(fromJSON(toJSON(s))).toBeDefined();
}

/** A structural mutation of the JSON document: replace or delete the value at a random place. */
function structuralMutation(text: string, pick: number, replacement: unknown, del: boolean): string {
  const doc = JSON.parse(text) as unknown;
  const places: [Record<string | number, unknown>, string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (places.push([v as unknown as Record<number, unknown>, i]), walk(x)));
    else if (typeof v === "object" && v !== null)
      for (const [k, x] of Object.entries(v)) {
        places.push([v as Record<string, unknown>, k]);
        walk(x);
      }
  };
  walk(doc);
  const [o, k] = places[pick % places.length] as [Record<string | number, unknown>, string | number];
  if (del && !Array.isArray(o)) delete o[k];
  else if (del) (o as unknown as unknown[]).splice(k as number, 1);
  else o[k] = replacement;
  return JSON.stringify(doc);
}

describe(`fuzz: nothing escapes but SerializationError [${clauses("serialization.errors.load-only-documented")}]`, () => {
  const held = freshAdam();
  const heldBefore = JSON.stringify(snapshot(held));

  it("random bytes into loadNpz, loadLossless and fromJSON", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        onlyDocumented(() => loadNpz(held, bytes));
        onlyDocumented(() => loadLossless(bytes));
        onlyDocumented(() => fromJSON(new TextDecoder().decode(bytes)));
      }),
      { numRuns: 300 },
    );
    // Random bytes after a valid zip signature, to get past the first check.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...bytes]);
        onlyDocumented(() => loadNpz(held, b));
        onlyDocumented(() => loadLossless(b));
      }),
      { numRuns: 200 },
    );
    expect(JSON.stringify(snapshot(held))).toBe(heldBefore);
  });

  it("mutations of valid Chainer archives (compressed and stored) into loadNpz", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (compressed, muts) => {
        onlyDocumented(() => loadNpz(held, mutate(compressed ? chainerCompressed : chainerStored, muts)));
        onlyDocumented(() =>
          loadNpz(saved, mutate(compressed ? chainerCompressed : chainerStored, muts), { strict: false }),
        );
      }),
      { numRuns: 300 },
    );
    expect(JSON.stringify(snapshot(held))).toBe(heldBefore);
  });

  it("archives whose entries are replaced, dropped or added with arbitrary arrays (any dtype, shape, None)", () => {
    const arbDtype = fc.constantFrom<NpyDtype>(...NPY_DTYPES);
    const arbShape = fc.oneof(
      fc.constant([] as number[]),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
    );
    const arbArray: fc.Arbitrary<NpyValue> = fc.oneof(
      { weight: 1, arbitrary: fc.constant(NPY_NONE) },
      {
        weight: 8,
        arbitrary: fc.tuple(arbDtype, arbShape, fc.integer()).map(([dtype, shape, seed]): NpyValue => {
          const n = shape.reduce((a, b) => a * b, 1);
          if (dtype === "int64")
            return {
              dtype,
              shape,
              data: BigInt64Array.from({ length: n }, (_, i) => BigInt(seed) * BigInt(i + 1) * 2n ** 31n),
            };
          if (dtype === "uint64")
            return {
              dtype,
              shape,
              data: BigUint64Array.from({ length: n }, (_, i) => BigInt(Math.abs(seed)) * BigInt(i + 1) * 2n ** 33n),
            };
          const info = DTYPE_INFO[dtype];
          const data = Float64Array.from({ length: n }, (_, i) => {
            if (info.kind === "f") return [NaN, -0, Infinity, 0.5, seed / 7][(i + seed) % 5] as number;
            return Math.min(info.max as number, Math.max(info.min as number, (seed + i) % 3));
          });
          return {
            dtype,
            shape,
            data:
              dtype === "float16" || dtype === "float32"
                ? data.map((x) => (dtype === "float32" ? Math.fround(x) : x))
                : data,
          } as NpyValue;
        }),
      },
    );
    const keys = chainerEntries.map((e) => e.key);
    const arbEdit = fc.oneof(
      fc.tuple(fc.constantFrom(...keys), arbArray).map(
        ([key, array]) =>
          (e: NpzEntry[]) =>
            withEntry(e, key, array),
      ),
      fc.constantFrom(...keys).map((key) => (e: NpzEntry[]) => withEntry(e, key, undefined)),
      fc.tuple(fc.string({ maxLength: 6 }), arbArray).map(
        ([key, array]) =>
          (e: NpzEntry[]) =>
            withEntry(e, key, array),
      ),
    );
    fc.assert(
      fc.property(fc.array(arbEdit, { minLength: 1, maxLength: 4 }), fc.boolean(), (edits, strict) => {
        let e = [...chainerEntries];
        for (const f of edits) e = f(e);
        let bytes: Uint8Array;
        try {
          bytes = writeNpz(e, { compress: false });
        } catch {
          return; // a key the zip writer refuses (e.g. a duplicate member name); not a loader input
        }
        onlyDocumented(() => loadNpz(held, bytes, { strict }));
        onlyDocumented(() => loadNpz(saved, bytes, { strict }));
      }),
      { numRuns: 300 },
    );
    expect(JSON.stringify(snapshot(held))).toBe(heldBefore);
  });

  it("mutations of valid lossless archives into loadLossless", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (compressed, muts) => {
        onlyDocumented(() => loadLossless(mutate(compressed ? losslessCompressed : losslessStored, muts)));
      }),
      { numRuns: 300 },
    );
  });

  it("mutations of the JSON document inside a stored lossless archive (past the checksums)", () => {
    const entries = readNpz(losslessStored).entries;
    const meta = entries[0]?.array as { data: Float64Array };
    const docBytes = Uint8Array.from(meta.data);
    fc.assert(
      fc.property(fc.array(arbMutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const m = mutate(docBytes, muts);
        const bytes = writeNpz(
          entries.map((e) =>
            e.key === LOSSLESS_META_KEY
              ? { key: e.key, array: { dtype: "uint8" as const, shape: [m.length], data: Float64Array.from(m) } }
              : e,
          ),
          { compress: false },
        );
        onlyDocumented(() => loadLossless(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it("byte mutations of valid lossless JSON text into fromJSON", () => {
    const bytes = new TextEncoder().encode(losslessText);
    fc.assert(
      fc.property(fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (muts) => {
        onlyDocumented(() => fromJSON(new TextDecoder().decode(mutate(bytes, muts))));
      }),
      { numRuns: 300 },
    );
  });

  it("structural mutations of the JSON document (a value replaced by any JSON, or deleted)", () => {
    fc.assert(
      fc.property(fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (pick, replacement, del) => {
        onlyDocumented(() => fromJSON(structuralMutation(losslessText, pick, replacement, del)));
      }),
      { numRuns: 400 },
    );
  });
});
