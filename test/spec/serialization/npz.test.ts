import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NpyFormatError, NpzFormatError } from "../../../spec/serialization/errors.js";
import { NPY_NONE, encodeNpy, isNpyNone } from "../../../spec/serialization/npy.js";
import { type NpzEntry, type ZipLayout, readNpz, writeNpz } from "../../../spec/serialization/npz.js";
import { crc32 } from "../../../spec/serialization/crc32.js";
import { readZip } from "../../../spec/serialization/zip.js";
import { writeZip } from "../../../spec/serialization/zip-write.js";
import {
  PY_PRELUDE,
  arbMutation,
  arbValue,
  goldenNotation,
  hex,
  loadSerializationGolden,
  makeArray,
  mutate,
  probePython,
  runPython,
  sameValue,
} from "./helpers.js";
import { zipFields, withoutDeflateLengths } from "./zipfields.js";
import { clauses } from "../../helpers/clauses.js";

function npzError(bytes: Uint8Array): NpzFormatError {
  try {
    readNpz(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(NpzFormatError);
    return e as NpzFormatError;
  }
  throw new Error("readNpz accepted a malformed archive");
}

function readsOrRefuses(bytes: Uint8Array): void {
  try {
    readNpz(bytes);
  } catch (e) {
    if (!(e instanceof NpzFormatError) || e.constructor !== NpzFormatError) throw e;
  }
}

function sameEntries(a: readonly NpzEntry[], b: readonly NpzEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.key === b[i]?.key && sameValue(e.array, b[i].array));
}

const golden = loadSerializationGolden();

describe(`Chainer's golden archives [${clauses("serialization.npz.read", "serialization.npz.write", "serialization.zip.layout", "serialization.zip.read", "serialization.npy.encode")}]`, () => {
  it("are all present", () => expect(golden.length).toBeGreaterThanOrEqual(12));
  for (const c of golden) {
    const bytes = new Uint8Array(Buffer.from(c.npz.base64, "base64"));
    it(`${c.id}: keys, order, dtypes, shapes and bits as recorded`, () => {
      expect(bytes.length).toBe(c.npz.size);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(c.npz.sha256);
      const { entries } = readNpz(bytes);
      expect(entries.map((e) => e.key)).toEqual(c.npz.keys.map((k) => k.key));
      entries.forEach(({ array }, i) => {
        const k = c.npz.keys[i]!;
        if (isNpyNone(array)) throw new Error(`${k.key}: unexpected None`);
        expect([array.dtype, array.dtype]).toEqual([k.dtype, k.value.dtype]);
        expect(array.shape).toEqual(k.shape);
        expect(array.shape).toEqual(k.value.shape);
        const note = goldenNotation(array);
        expect(note, k.key).toEqual(k.value.bits !== undefined ? { bits: k.value.bits } : { values: k.value.values });
      });
    });
    it(`${c.id}: each entry re-encodes to Chainer's exact .npy bytes`, () => {
      const raw = readZip(bytes);
      const { entries } = readNpz(bytes);
      raw.forEach((r, i) => expect(hex(encodeNpy(entries[i]!.array)), r.name).toBe(hex(r.data)));
    });
    it(`${c.id}: writeNpz(compress) has the archive's layout, field for field but the deflate lengths`, () => {
      const ours = writeNpz(readNpz(bytes).entries, { compress: true });
      expect(withoutDeflateLengths(zipFields(ours))).toEqual(withoutDeflateLengths(zipFields(bytes)));
      expect(sameEntries(readNpz(ours).entries, readNpz(bytes).entries)).toBe(true);
    });
    it(`${c.id}: writeNpz(compress) reproduces the archive byte for byte`, () => {
      // Not guaranteed in general: fflate's level-6 deflate matches zlib's on these inputs (and
      // on most others), but not always (e.g. some tiny random inputs).
      expect(hex(writeNpz(readNpz(bytes).entries, { compress: true }))).toBe(hex(bytes));
    });
  }
});

const arbKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.constantFrom("u/t", "enc/W/m", "é/ß"),
);
const arbEntries = fc.uniqueArray(fc.record({ key: arbKey, array: arbValue }), {
  selector: (e) => e.key,
  maxLength: 6,
});
const LAYOUTS: ZipLayout[] = ["legacy", "modern"];

describe("writeNpz / readNpz", () => {
  it("CRC-32 is the zip/zlib one", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("round-trips stored and compressed archives in both zip layouts", () => {
    fc.assert(
      fc.property(arbEntries, fc.boolean(), fc.constantFrom(...LAYOUTS), (entries, compress, zipLayout) => {
        const back = readNpz(writeNpz(entries, { compress, zipLayout })).entries;
        expect(sameEntries(back, entries)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("marks non-ASCII names UTF-8 (flag 0x800) and only those", () => {
    const z = zipFields(
      writeNpz(
        [
          { key: "a", array: NPY_NONE },
          { key: "é", array: NPY_NONE },
        ],
        { compress: false },
      ),
    );
    expect(z.entries.map((e) => [e.local["flags"], e.central["flags"]])).toEqual([
      [0, 0],
      [0x800, 0x800],
    ]);
  });

  it("accepts data descriptors (what zipfile writes to an unseekable stream)", () => {
    // Rebuild a one-entry stored archive the way Python streams it: flag 8, zeros in the local
    // header and its zip64 field, a signed 24-byte descriptor after the data.
    const entries = [{ key: "t", array: makeArray("int64", [], [6n]) }];
    const z = writeNpz(entries, { compress: false });
    const dv = new DataView(z.buffer);
    const nameLen = dv.getUint16(26, true);
    const dataStart = 30 + nameLen + 20;
    const size = dv.getUint32(22, true);
    const crc = dv.getUint32(14, true);
    const local = z.slice(0, dataStart + size);
    const ldv = new DataView(local.buffer);
    ldv.setUint16(6, 8, true);
    for (const o of [14, 18, 22]) ldv.setUint32(o, 0, true);
    ldv.setBigUint64(30 + nameLen + 4, 0n, true);
    ldv.setBigUint64(30 + nameLen + 12, 0n, true);
    const desc = new Uint8Array(24);
    const ddv = new DataView(desc.buffer);
    ddv.setUint32(0, 0x08074b50, true);
    ddv.setUint32(4, crc, true);
    ddv.setBigUint64(8, BigInt(size), true);
    ddv.setBigUint64(16, BigInt(size), true);
    const rest = z.slice(dataStart + size);
    const rdv = new DataView(rest.buffer);
    rdv.setUint16(8, 8, true); // central flags
    rdv.setUint32(rest.length - 6, dataStart + size + 24, true); // central directory offset
    const out = Uint8Array.from([...local, ...desc, ...rest]);
    expect(sameEntries(readNpz(out).entries, entries)).toBe(true);
  });
});

describe(`malformed archives raise NpzFormatError naming the entry [${clauses("serialization.errors.only")}]`, () => {
  const two = [
    { key: "a", array: makeArray("int64", [], [1n]) },
    { key: "b", array: makeArray("float32", [2], [1, 2]) },
  ];
  const base = writeNpz(two, { compress: false });
  const f = zipFields(base);
  const cd = f.end["cdOffset"] as number;
  const off = (i: number): number => f.entries[i]!.central["offset"] as number;
  const centralAt = (i: number): number =>
    cd + f.entries.slice(0, i).reduce((s, e) => s + 46 + (e.central["nameLen"] as number), 0);
  const patch = (edits: [number, number, number][]): Uint8Array => {
    const b = base.slice();
    const dv = new DataView(b.buffer);
    for (const [at, size, v] of edits) {
      if (size === 2) dv.setUint16(at, v, true);
      else if (size === 4) dv.setUint32(at, v, true);
      else b[at] = v;
    }
    return b;
  };
  const eocd = base.length - 22;
  const cases: [string, Uint8Array, RegExp, string | undefined][] = [
    ["empty input", new Uint8Array(0), /truncated/, undefined],
    ["truncated archive", base.subarray(0, base.length - 1), /end-of-central-directory/, undefined],
    ["cut in the middle", base.subarray(0, 100), /end-of-central-directory/, undefined],
    ["trailing garbage", Uint8Array.from([...base, 0]), /end-of-central-directory/, undefined],
    ["corrupted central directory", patch([[centralAt(1), 1, 0x51]]), /corrupted central directory/, undefined],
    ["central directory offset off by one", patch([[eocd + 16, 4, cd + 1]]), /central directory/, undefined],
    ["CRC mismatch", patch([[off(1) + 30 + 5 + 20 + 130, 1, 0x42]]), /CRC-32 mismatch/, "b.npy"],
    [
      "unsupported method",
      patch([
        [off(0) + 8, 2, 12],
        [centralAt(0) + 10, 2, 12],
      ]),
      /compression method 12/,
      "a.npy",
    ],
    [
      "zip64 end record",
      patch([
        [eocd + 8, 2, 0xffff],
        [eocd + 10, 2, 0xffff],
      ]),
      /zip64/,
      undefined,
    ],
    ["zip64 sizes", patch([[centralAt(1) + 20, 4, 0xffffffff]]), /zip64/, "b.npy"],
    [
      "duplicate names",
      patch([
        [off(1) + 30, 1, 0x61],
        [centralAt(1) + 46, 1, 0x61],
      ]),
      /duplicate/,
      "a.npy",
    ],
    [
      "encrypted entry",
      patch([
        [off(0) + 6, 2, 1],
        [centralAt(0) + 8, 2, 1],
      ]),
      /encrypted/,
      "a.npy",
    ],
    ["local header disagrees", patch([[off(0) + 14, 4, 0]]), /local header CRC or sizes/, "a.npy"],
    ["local name disagrees", patch([[off(0) + 30, 1, 0x7a]]), /name differs/, "a.npy"],
    ["entry not .npy", writeZip([{ name: "a.txt", data: encodeNpy(NPY_NONE) }], false), /end in '\.npy'/, "a.txt"],
    [
      "bad .npy inside",
      writeZip([{ name: "x.npy", data: Uint8Array.from([1, 2, 3]) }], true),
      /at least 10 bytes/,
      "x.npy",
    ],
    [
      "bad deflate stream",
      patch([
        [off(0) + 8, 2, 8],
        [centralAt(0) + 10, 2, 8],
      ]),
      /deflate|inflated|CRC/,
      "a.npy",
    ],
  ];
  it.each(cases)("%s", (_name, bytes, reason, entry) => {
    const e = npzError(bytes);
    expect(e.reason).toMatch(reason);
    expect(e.entry).toBe(entry);
    if (entry !== undefined) expect(e.message).toContain(JSON.stringify(entry));
  });

  it("wraps a bad .npy member's NpyFormatError as the cause", () => {
    const e = npzError(writeZip([{ name: "x.npy", data: Uint8Array.from([1, 2, 3]) }], false));
    expect(e.cause).toBeInstanceOf(NpyFormatError);
  });

  it("refuses a gap before the first entry", () => {
    const b = Uint8Array.from([0, ...base]);
    const dv = new DataView(b.buffer);
    dv.setUint32(b.length - 6, cd + 1, true);
    for (let i = 0; i < 2; i++) dv.setUint32(1 + centralAt(i) + 42, off(i) + 1, true);
    expect(npzError(b).reason).toMatch(/gap or overlap/);
  });
});

describe("fuzzing readNpz: a value or NpzFormatError, never anything else", () => {
  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), readsOrRefuses), { numRuns: 2000 });
  });
  it("mutations of golden archives", () => {
    const seeds = golden.map((c) => new Uint8Array(Buffer.from(c.npz.base64, "base64")));
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (s, m) => {
        readsOrRefuses(mutate(s, m));
      }),
      { numRuns: 1500 },
    );
  });
  it("mutations of written archives (stored and compressed, both layouts)", () => {
    fc.assert(
      fc.property(
        arbEntries,
        fc.boolean(),
        fc.constantFrom(...LAYOUTS),
        fc.array(arbMutation, { minLength: 1, maxLength: 4 }),
        (entries, compress, zipLayout, m) => readsOrRefuses(mutate(writeNpz(entries, { compress, zipLayout }), m)),
      ),
      { numRuns: 1500 },
    );
  });
});

const py = probePython();

describe(`cross-check with python3 + numpy (${py.reason})`, () => {
  // Keys numpy.savez(**kwds) can take, including non-ASCII ones.
  const pyKey = fc
    .oneof(fc.stringMatching(/^[a-z][a-z0-9_/]{0,10}$/), fc.constantFrom("é/ß", "ключ"))
    .filter((k) => k !== "file");
  const pyEntries = fc.uniqueArray(fc.record({ key: pyKey, array: arbValue }), {
    selector: (e) => e.key,
    minLength: 1,
    maxLength: 6,
  });
  const samples = (): NpzEntry[][] =>
    fc
      .sample(pyEntries, { numRuns: 40, seed: 7 })
      .map((es) => es.filter((e) => py.numpyMajor === 1 || !isNpyNone(e.array)))
      .filter((es) => es.length > 0);
  const script = `${PY_PRELUDE}
class Unseekable:
    def __init__(self): self.buf = bytearray()
    def write(self, b): self.buf += b; return len(b)
    def flush(self): pass
    def read(self, *a): raise io.UnsupportedOperation('read')  # numpy only checks that it exists
out = []
for s in json.load(sys.stdin):
    with np.load(io.BytesIO(base64.b64decode(s)), allow_pickle=True) as f:
        arrays = {k: f[k] for k in f.files}
    res = {}
    for name, fn in (('stored', np.savez), ('compressed', np.savez_compressed)):
        b = io.BytesIO(); fn(b, **arrays); res[name] = base64.b64encode(b.getvalue()).decode()
        u = Unseekable(); fn(u, **arrays); res['stream_' + name] = base64.b64encode(bytes(u.buf)).decode()
    out.append(res)
print(json.dumps(out))`;

  it.skipIf(!py.ok)(
    "numpy reads our stored and compressed archives; its np.savez equals our stored bytes; layouts match",
    () => {
      const sets = samples();
      const ours = sets.flatMap((es) => [writeNpz(es, { compress: false }), writeNpz(es, { compress: true })]);
      const input = new TextEncoder().encode(JSON.stringify(ours.map((b) => Buffer.from(b).toString("base64"))));
      const res = JSON.parse(new TextDecoder().decode(runPython(script, input))) as Record<string, string>[];
      expect(res.length).toBe(ours.length);
      res.forEach((r, i) => {
        const es = sets[i >> 1]!;
        const theirs = (k: string): Uint8Array => new Uint8Array(Buffer.from(r[k]!, "base64"));
        const zipLayout: ZipLayout = theirs("stored")[4] === 20 ? "legacy" : "modern";
        expect(hex(writeNpz(es, { compress: false, zipLayout }))).toBe(hex(theirs("stored")));
        const oursC = writeNpz(es, { compress: true, zipLayout });
        expect(withoutDeflateLengths(zipFields(oursC))).toEqual(withoutDeflateLengths(zipFields(theirs("compressed"))));
        for (const k of ["compressed", "stream_stored", "stream_compressed"]) {
          expect(sameEntries(readNpz(theirs(k)).entries, es), k).toBe(true);
        }
      });
    },
  );
});
