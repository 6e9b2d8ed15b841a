/**
 * Hostile files: zip bombs are refused within the decode budget, before the memory they ask for is
 * allocated, naming the member, what it declared and the limit; JSON nested without bound is
 * refused with a named error; loaded snapshots satisfy the API's invariants.
 */
import { describe, expect, it } from "vitest";
import { clauses } from "../../helpers/clauses.js";
import {
  ArchiveFormatError,
  DEFAULT_MAX_DECODE_BYTES,
  MAX_JSON_NESTING,
  SerializationError,
  SnapshotFormatError,
  createOptimizer,
  fromJSON,
  loadLossless,
  loadNpz,
  saveLossless,
  setGrads,
  setup,
  toJSON,
  update,
  addHook,
  weightDecay,
} from "../../../spec/index.js";
import { readNpz } from "../../../spec/serialization/npz.js";
import { NpzFormatError } from "../../../spec/serialization/errors.js";
import { zipBomb } from "../../../conformance/fuzz/zip-bomb.js";
import { gradsFor, smallLink } from "../../helpers/fixtures.js";

const MIB = 2 ** 20;

function refusal(f: () => unknown): NpzFormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NpzFormatError);
    return e as NpzFormatError;
  }
  throw new Error("expected a refusal");
}

describe(`zip bombs and the decode budget [${clauses("serialization.limits.budget", "serialization.zip.bounded", "serialization.npy.decode")}]`, () => {
  it("a valid archive within the budget decodes; the same archive over a smaller budget is refused before inflating", () => {
    const bomb = zipBomb({ inflated: 2 * MIB + 128 });
    const npz = readNpz(bomb);
    expect(npz.entries[0]?.array).toMatchObject({ dtype: "uint8" });
    const e = refusal(() => readNpz(bomb, { maxBytes: MIB }));
    expect(e.entry).toBe("m0.npy");
    expect(e.reason).toContain(`declares ${2 * MIB + 128} inflated bytes`);
    expect(e.reason).toContain(`limit of ${MIB} bytes`);
  });

  it("a member that inflates past its declared size stops there and says both numbers", () => {
    const e = refusal(() => readNpz(zipBomb({ inflated: 8 * MIB + 128, declared: 1000 })));
    expect(e.entry).toBe("m0.npy");
    expect(e.reason).toMatch(/inflates to more than its declared 1000 bytes \(stopped after \d+\)/);
  });

  it("the budget is for the whole file: three members that each fit are refused together", () => {
    const e = refusal(() => readNpz(zipBomb({ inflated: MIB + 128, members: 3 }), { maxBytes: 2 * MIB + 200 }));
    expect(e.entry).toBe("m1.npy");
    expect(e.reason).toContain("bytes already taken");
  });

  it("a declared 0xFFFFFFFE bytes is refused from the directory, without a 4 GiB buffer", () => {
    const e = refusal(() => readNpz(zipBomb({ inflated: MIB + 128, declared: 0xfffffffe })));
    expect(e.reason).toMatch(/impossible for \d+ deflate bytes|exceeds the limit/);
  });

  it("the 1 GiB bomb (about 1 MB on disk) is refused by the default budget, before inflating", () => {
    const bomb = zipBomb({ inflated: 2 ** 30 });
    expect(bomb.length).toBeLessThan(1.1 * MIB);
    const e = refusal(() => readNpz(bomb));
    expect(e.reason).toContain(`limit of ${DEFAULT_MAX_DECODE_BYTES} bytes`);
  });

  it("the .npy header must imply the size the zip directory declares, checked on the first bytes", () => {
    // 8 MiB of zeros declared 4 KiB longer than the header implies: refused without inflating it all.
    const e = refusal(() => readNpz(zipBomb({ inflated: 8 * MIB + 128, declared: 8 * MIB + 128 + 4096 })));
    expect(e.reason).toBe(
      `the .npy header implies ${8 * MIB + 128} bytes, the zip directory declares ${8 * MIB + 128 + 4096}`,
    );
  });

  it("decoded arrays count too: a uint8 member decodes to 8 bytes per element", () => {
    const e = refusal(() => readNpz(zipBomb({ inflated: 2 * MIB + 128 }), { maxBytes: 4 * MIB }));
    expect(e.reason).toMatch(/declares \d+ elements/);
  });

  it("loaders wrap the refusal in their named error; a bad limit is a named error", () => {
    const s = setup(createOptimizer("SGD"), smallLink());
    const bomb = zipBomb({ inflated: 2 * MIB + 128 });
    expect(() => loadNpz(s, bomb, { limits: { maxBytes: MIB } })).toThrow(ArchiveFormatError);
    expect(() => loadLossless(bomb, { maxBytes: MIB })).toThrow(ArchiveFormatError);
    expect(() => loadLossless(bomb, { maxBytes: -1 })).toThrow(SerializationError);
    expect(() => loadNpz(s, bomb, { limits: { maxBytes: 0.5 } })).toThrow(/maxBytes/);
  });

  it("a lossless snapshot round-trips under a budget it fits, and is refused under one it does not", () => {
    let s = setup(createOptimizer("Adam"), smallLink());
    s = update(setGrads(s, gradsFor(s, 1)));
    const bytes = saveLossless(s);
    expect(toJSON(loadLossless(bytes, { maxBytes: 64 * 1024 }))).toBe(toJSON(s));
    expect(() => loadLossless(bytes, { maxBytes: 256 })).toThrow(ArchiveFormatError);
    const text = toJSON(s);
    expect(() => fromJSON(text, { maxBytes: text.length - 1 })).toThrow(SnapshotFormatError);
  });
});

describe(`JSON nested without bound [${clauses("serialization.limits.depth")}]`, () => {
  const header = '{"format":"optspec.optimizer-state","version":';
  for (const depth of [MAX_JSON_NESTING + 1, 5000, 200_000]) {
    it(`a version nested ${depth} deep (arrays, objects, and inside a string-free key) is a SnapshotFormatError`, () => {
      for (const v of ["[".repeat(depth) + "]".repeat(depth), '{"a":'.repeat(depth) + "1" + "}".repeat(depth)]) {
        const err = (() => {
          try {
            fromJSON(`${header}${v}}`);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err).toBeInstanceOf(SnapshotFormatError);
        expect((err as Error).message.length).toBeLessThan(500);
      }
    });
  }

  it("brackets inside strings do not count; nesting up to the limit parses", () => {
    const s = setup(createOptimizer("SGD"), smallLink());
    const text = toJSON(s).replace('"optimizer":"SGD"', `"optimizer":"SGD", "x": "${"[".repeat(1000)}"`);
    expect(() => fromJSON(text)).toThrow(/no such key/);
    const ok = "[".repeat(MAX_JSON_NESTING - 1) + "]".repeat(MAX_JSON_NESTING - 1);
    expect(() => fromJSON(`${header}${ok}}`)).toThrow(/format version/);
  });
});

describe(`a loaded lossless snapshot satisfies the API's invariants [${clauses("serialization.lossless.invariants", "invariants.counters", "invariants.loss-scale", "invariants.hook-args")}]`, () => {
  const s0 = addHook(setup(createOptimizer("Adam"), smallLink()), weightDecay(1e-3));
  const s = update(setGrads(s0, gradsFor(s0, 1)));
  interface Doc {
    t: unknown;
    epoch: unknown;
    lossScale: Record<string, unknown>;
    rules: [string, Record<string, unknown>][];
  }
  const doc = JSON.parse(toJSON(s)) as Doc;
  const edit = (f: (d: Doc) => void): string => {
    const d = structuredClone(doc);
    f(d);
    return JSON.stringify(d);
  };
  const cases: [string, (d: Doc) => void, RegExp][] = [
    ["t = -5", (d) => (d.t = -5), /\$\.t: expected a non-negative integer counter/],
    ["epoch = -1", (d) => (d.epoch = -1), /\$\.epoch/],
    [
      "a rule's t = -1",
      (d) => ((d.rules[0] as [string, Record<string, unknown>])[1]["t"] = -1),
      /\.t: expected a non-negative integer counter/,
    ],
    [
      "a negative loss scale",
      (d) => (d.lossScale["scale"] = -2),
      /lossScale\.scale: expected null or a loss scale > 0/,
    ],
    [
      "a dynamic interval of 0",
      (d) => (d.lossScale["interval"] = 0),
      /lossScale\.interval: expected null or an interval >= 1/,
    ],
    ["a multiplier of 0", (d) => (d.lossScale["multiplier"] = 0), /lossScale\.multiplier/],
    [
      "a hook argument its kind refuses",
      (d) =>
        ((d as unknown as { hooks: { pre: { hook: { args: unknown } }[] } }).hooks.pre[0]!.hook.args = {
          o: [["rate", "x"]],
        }),
      /hook\.args: expected arguments WeightDecay accepts/,
    ],
  ];
  for (const [name, f, re] of cases) {
    it(`${name} is refused`, () => {
      expect(() => fromJSON(edit(f))).toThrow(SnapshotFormatError);
      expect(() => fromJSON(edit(f))).toThrow(re);
    });
  }

  it("what loads is frozen", () => {
    const loaded = fromJSON(toJSON(s));
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.lossScale)).toBe(true);
    expect(Object.isFrozen(loaded.target?.params["/u"]?.data?.shape)).toBe(true);
  });
});
