import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NpyFormatError } from "../../../spec/serialization/errors.js";
import {
  type NpyValue,
  NPY_DTYPES,
  NPY_NONE,
  decodeNpy,
  encodeNpy,
  isNpyNone,
} from "../../../spec/serialization/npy.js";
import {
  arbArray,
  arbMutation,
  arbValue,
  fromHex,
  hex,
  makeArray,
  mutate,
  probePython,
  runPython,
  sameValue,
  PY_PRELUDE,
} from "./helpers.js";
import { clauses } from "../../helpers/clauses.js";

/** An `.npy` file with an arbitrary header text (latin-1) and payload. */
function rawNpy(header: string, payload: number[] | Uint8Array = [], version = 1): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  const h = version === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const out = new Uint8Array(8 + lenBytes + h.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(h, 8 + lenBytes);
  out.set(payload, 8 + lenBytes + h.length);
  return out;
}

function decodeError(bytes: Uint8Array, entry?: string): NpyFormatError {
  try {
    decodeNpy(bytes, entry);
  } catch (e) {
    expect(e).toBeInstanceOf(NpyFormatError);
    return e as NpyFormatError;
  }
  throw new Error("decodeNpy accepted malformed bytes");
}

/** Decodes to a valid value, or throws exactly NpyFormatError. */
function decodesOrRefuses(bytes: Uint8Array): void {
  try {
    const v = decodeNpy(bytes);
    if (!isNpyNone(v)) expect(v.data.length).toBe(v.shape.reduce((a, b) => a * b, 1));
  } catch (e) {
    if (!(e instanceof NpyFormatError) || e.constructor !== NpyFormatError) throw e;
  }
}

// Written by numpy 1.24.4's np.save (same format code as the golden files' numpy 1.24.2).
const NUMPY124 = {
  none:
    "934e554d5059010076007b276465736372273a20277c4f272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d" +
    "2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a" +
    "8003636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b008571024301" +
    "627103877104527105284b0129636e756d70790a64747970650a710658020000004f3871078988877108527109284b0358010000007c710a4e4e4e4affffffff" +
    "4affffffff4b3f74710b62895d710c4e6174710d622e",
  f32x2x3:
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c20" +
    "33292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a" +
    "000000000000803f0000004000004040000080400000a040",
  f16empty:
    "934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028302c29" +
    "2c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a",
  // The dict plus its growth room ends exactly on a 64-byte boundary: numpy adds a full 64 spaces.
  boundary:
    "934e554d50590100b6007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028302c20" +
    "313030302c203130302c2031302c20313030302c20313030302c203130302c20312c2031303030292c207d202020202020202020202020202020202020202020" +
    "2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a",
  boolScalar:
    "934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c20" +
    "7d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01",
};
// numpy 2.4.6's pickle (protocol 4, numpy._core) of np.asarray(None), after the same header.
const NUMPY2_NONE_PICKLE =
  "80049587000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e" +
  "6461727261799493944b0085944301629487945294284b012968038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4aff" +
  "ffffff4b3f749462895d944e617494622e";

describe(`encodeNpy writes numpy 1.24's bytes [${clauses("serialization.npy.encode", "serialization.npy.none")}]`, () => {
  it("float32 (2, 3), float16 (0,), bool 0-d and None match np.save byte for byte", () => {
    expect(hex(encodeNpy(makeArray("float32", [2, 3], [0, 1, 2, 3, 4, 5])))).toBe(NUMPY124.f32x2x3);
    expect(hex(encodeNpy(makeArray("float16", [0], [])))).toBe(NUMPY124.f16empty);
    expect(hex(encodeNpy(makeArray("bool", [], [1])))).toBe(NUMPY124.boolScalar);
    expect(hex(encodeNpy(NPY_NONE))).toBe(NUMPY124.none);
  });

  it("adds a whole 64 bytes of padding when the header with its growth room is already aligned", () => {
    const shape = [0, 1000, 100, 10, 1000, 1000, 100, 1, 1000];
    expect(hex(encodeNpy(makeArray("float32", shape, [])))).toBe(NUMPY124.boundary);
  });

  it("pads every preamble to a multiple of 64, with 21 - len(str(shape[0])) growth spaces", () => {
    fc.assert(
      fc.property(arbArray(), (a) => {
        const b = encodeNpy(a);
        const hlen = b[8]! | (b[9]! << 8);
        expect((10 + hlen) % 64).toBe(0);
        expect(b[10 + hlen - 1]).toBe(0x0a);
        const text = String.fromCharCode(...b.subarray(10, 10 + hlen));
        const dict = text.slice(0, text.indexOf("}") + 1);
        const spaces = text.length - 1 - dict.length;
        const growth = a.shape.length === 0 ? 0 : 21 - String(a.shape[0]).length;
        expect(spaces - growth).toBeGreaterThanOrEqual(1);
        expect(spaces - growth).toBeLessThanOrEqual(64);
      }),
      { numRuns: 300 },
    );
  });

  it("switches to version 2.0 only when the header exceeds 65535 bytes", () => {
    const small = encodeNpy(
      makeArray(
        "uint8",
        Array.from({ length: 10000 }, () => 0),
        [],
      ),
    );
    expect(small[6]).toBe(1);
    const big = encodeNpy(
      makeArray(
        "uint8",
        Array.from({ length: 25000 }, () => 0),
        [],
      ),
    );
    expect(big[6]).toBe(2);
    const hlen = new DataView(big.buffer).getUint32(8, true);
    expect((12 + hlen) % 64).toBe(0);
    expect(
      sameValue(
        decodeNpy(big),
        makeArray(
          "uint8",
          Array.from({ length: 25000 }, () => 0),
          [],
        ),
      ),
    ).toBe(true);
  });

  it("refuses arrays that break their own invariants with RangeError", () => {
    expect(() => encodeNpy(makeArray("float32", [2], [0.1, 0]))).toThrow(RangeError);
    expect(() => encodeNpy(makeArray("float16", [1], [1 + 2 ** -11]))).toThrow(RangeError);
    expect(() => encodeNpy(makeArray("int8", [1], [128]))).toThrow(RangeError);
    expect(() => encodeNpy(makeArray("bool", [1], [2]))).toThrow(RangeError);
    expect(() => encodeNpy(makeArray("int32", [3], [1, 2]))).toThrow(RangeError);
    expect(() => encodeNpy(makeArray("int32", [-1], []))).toThrow(RangeError);
  });
});

describe(`decodeNpy [${clauses("serialization.npy.decode", "serialization.npy.none")}]`, () => {
  it("decodes numpy 1.x and 2.x pickles of None to the none marker", () => {
    expect(decodeNpy(fromHex(NUMPY124.none))).toEqual({ kind: "none" });
    const v2 = fromHex(NUMPY124.none.slice(0, 256) + NUMPY2_NONE_PICKLE);
    expect(decodeNpy(v2)).toEqual({ kind: "none" });
  });

  it("reads big-endian descrs, Fortran order, versions 2.0 and 3.0, Python 2 long suffixes", () => {
    const be = rawNpy(
      "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n",
      [0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0],
    );
    expect(sameValue(decodeNpy(be), makeArray("float64", [2], [1, -2]))).toBe(true);
    const f = rawNpy(
      "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }",
      [0, 0, 3, 0, 1, 0, 4, 0, 2, 0, 5, 0],
    );
    expect(sameValue(decodeNpy(f), makeArray("int16", [2, 3], [0, 1, 2, 3, 4, 5]))).toBe(true);
    const v2 = rawNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,)}", [7, 8, 9], 2);
    expect(sameValue(decodeNpy(v2), makeArray("uint8", [3], [7, 8, 9]))).toBe(true);
    const v3 = rawNpy("{'descr': '<u2', 'fortran_order': False, 'shape': (1,), } # é\n", [1, 1], 3);
    expect(sameValue(decodeNpy(v3), makeArray("uint16", [1], [257]))).toBe(true);
    const long = rawNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (1L,), }", [5, 0, 0, 0, 0, 0, 0, 0]);
    expect(sameValue(decodeNpy(long), makeArray("int64", [1], [5n]))).toBe(true);
    const loose = rawNpy('  {"shape":(1,2),"fortran_order":False,"descr":"<f2",}  \n', [0, 0x3c, 0, 0xbc]);
    expect(sameValue(decodeNpy(loose), makeArray("float16", [1, 2], [1, -1]))).toBe(true);
  });

  const ok = "'fortran_order': False, 'shape': (1,)";
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty input", new Uint8Array(0), /at least 10 bytes/],
    ["bad magic", rawNpy(`{'descr': '<f4', ${ok}}`).map((b, i) => (i === 1 ? 0x4f : b)), /magic/],
    ["unknown version", rawNpy(`{'descr': '<f4', ${ok}}`, [], 4), /version/],
    ["truncated header", rawNpy(`{'descr': '<f4', ${ok}}`).subarray(0, 30), /truncated header/],
    ["header not a literal", rawNpy("{'descr': '<f4', 'shape': (1,), 'fortran_order': Fals}"), /Python dict literal/],
    ["header a list", rawNpy("['descr', 'shape']"), /Python dict literal/],
    ["unbalanced header", rawNpy(`{'descr': '<f4', ${ok}`), /Python dict literal/],
    ["deeply nested header", rawNpy("(".repeat(5000)), /nested too deeply/],
    ["missing key", rawNpy("{'descr': '<f4', 'shape': (1,)}"), /header keys/],
    ["extra key", rawNpy(`{'descr': '<f4', ${ok}, 'x': 1}`), /header keys/],
    ["duplicate key", rawNpy(`{'descr': '<f4', 'descr': '<f4', ${ok}}`), /duplicate dict key/],
    ["fortran_order not a bool", rawNpy("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"), /fortran_order/],
    ["shape a list", rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': [1]}"), /'shape' to be a tuple/],
    ["negative dim", rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"), /non-negative/],
    ["unknown descr", rawNpy(`{'descr': '<c8', ${ok}}`), /unknown descr/],
    ["native-order descr", rawNpy(`{'descr': '=f4', ${ok}}`), /unknown descr/],
    ["'|' on a wide type", rawNpy(`{'descr': '|f4', ${ok}}`), /unknown descr/],
    ["structured descr", rawNpy(`{'descr': [('a', '<f4')], ${ok}}`), /structured/],
    ["short data", rawNpy(`{'descr': '<f4', ${ok}}`, [0, 0, 0]), /truncated/],
    ["trailing garbage", rawNpy(`{'descr': '<f4', ${ok}}`, [0, 0, 0, 0, 9]), /trailing garbage/],
    ["huge shape", rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}"), /truncated/],
    ["bool byte 2", rawNpy(`{'descr': '|b1', ${ok}}`, [2]), /expected 0 or 1/],
    ["invalid UTF-8 in a 3.0 header", rawNpy("x", [], 3).map((b, i) => (i === 12 ? 0xff : b)), /UTF-8/],
    [
      "object array not 0-d",
      rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", fromHex(NUMPY2_NONE_PICKLE)),
      /0-d/,
    ],
    [
      "object array pickle of [1]",
      rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': ()}", fromHex("80035d71004b01612e")),
      /None/,
    ],
    [
      "None pickle with trailing bytes",
      rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': ()}", [...fromHex(NUMPY2_NONE_PICKLE), 0]),
      /trailing/,
    ],
    [
      "None pickle truncated",
      rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': ()}", fromHex(NUMPY2_NONE_PICKLE).subarray(0, 60)),
      /truncated|FRAME/,
    ],
  ];
  it.each(cases)("refuses %s with NpyFormatError", (_name, bytes, reason) => {
    const e = decodeError(bytes, "u/t.npy");
    expect(e.reason).toMatch(reason);
    expect(e.entry).toBe("u/t.npy");
    expect(e.message).toContain('"u/t.npy"');
    expect(e.message).toContain(e.reason);
  });
});

describe(`round trips and fuzzing [${clauses("serialization.npy.representation", "serialization.errors.only")}]`, () => {
  it("encode → decode is the identity for every dtype and shape (bits, -0 and NaN included)", () => {
    for (const dtype of NPY_DTYPES) {
      fc.assert(
        fc.property(arbArray([dtype]), (a) => {
          const bytes = encodeNpy(a);
          const back = decodeNpy(bytes);
          expect(sameValue(back, a)).toBe(true);
          expect(hex(encodeNpy(back))).toBe(hex(bytes));
        }),
        { numRuns: 150 },
      );
    }
  });

  it("random bytes: a value or NpyFormatError, nothing else", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodesOrRefuses), { numRuns: 2000 });
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 300 }), (v, rest) => {
        decodesOrRefuses(Uint8Array.from([...magic, v, 0, ...rest]));
      }),
      { numRuns: 2000 },
    );
  });

  it("random header texts: a value or NpyFormatError", () => {
    const piece = fc.constantFrom(
      "{",
      "}",
      "(",
      ")",
      "[",
      "]",
      ",",
      ":",
      " ",
      "'descr'",
      "'shape'",
      "'fortran_order'",
      "'<f4'",
      "'|O'",
      "True",
      "False",
      "None",
      "0",
      "1",
      "-1",
      "1L",
      "'",
      '"',
      "\\",
      "#",
      "\n",
      "1.5",
      "x",
      "2_0",
    );
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(piece, { maxLength: 30 }).map((p) => p.join("")),
    );
    fc.assert(
      fc.property(text, fc.uint8Array({ maxLength: 16 }), fc.integer({ min: 1, max: 3 }), (h, payload, version) => {
        decodesOrRefuses(rawNpy(h, payload, version));
      }),
      { numRuns: 3000 },
    );
  });

  it("mutations of valid files (bit flips, byte sets, truncations, insertions): a value or NpyFormatError", () => {
    fc.assert(
      fc.property(arbValue, fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (v: NpyValue, muts) => {
        decodesOrRefuses(mutate(encodeNpy(v), muts));
      }),
      { numRuns: 3000 },
    );
  });
});

const py = probePython();

describe(`cross-check with python3 + numpy (${py.reason})`, () => {
  it.skipIf(!py.ok)("decodes what numpy writes: byte orders, Fortran order, versions, 0-d, empty, None", () => {
    const script = `${PY_PRELUDE}
from numpy.lib import format as fmt
cases = []
def add(name, a, version=None):
    b = io.BytesIO(); fmt.write_array(b, a, version=version, allow_pickle=True)
    le = None if a.dtype == object else a.astype(a.dtype.newbyteorder('<')).tobytes(order='C').hex()
    cases.append(dict(name=name, npy=base64.b64encode(b.getvalue()).decode(), le=le))
r = np.random.default_rng(7)
for d in ['f2','f4','f8','i1','i2','i4','i8','u1','u2','u4','u8']:
    x = (r.standard_normal((3, 4)) * 300).astype(d)
    add(d, x); add('>' + d, x.astype('>' + d)); add('F' + d, np.asfortranarray(x)); add('F3' + d, np.asfortranarray(x.reshape(3, 2, 2)))
add('bool', r.standard_normal((2, 5)) > 0); add('bool F', np.asfortranarray(r.standard_normal((2, 5)) > 0))
add('0-d', np.float32(-0.0).reshape(())); add('empty', np.zeros((0, 3), '>i4')); add('nan', np.array([np.nan, -np.nan, np.inf], '>f4'))
add('v2', np.arange(5, dtype='<u2'), (2, 0)); add('v3', np.arange(5, dtype='>i8'), (3, 0)); add('None', np.asarray(None))
print(json.dumps(cases))`;
    const cases = JSON.parse(new TextDecoder().decode(runPython(script))) as {
      name: string;
      npy: string;
      le: string | null;
    }[];
    expect(cases.length).toBeGreaterThan(40);
    for (const c of cases) {
      const v = decodeNpy(new Uint8Array(Buffer.from(c.npy, "base64")), c.name);
      if (c.le === null) {
        expect(isNpyNone(v), c.name).toBe(true);
        continue;
      }
      const enc = encodeNpy(v);
      expect(hex(enc.subarray(enc.length - c.le.length / 2)), c.name).toBe(c.le);
    }
  });

  it.skipIf(!py.ok)("numpy reads what we write and re-saves it byte-identically (random arrays of every dtype)", () => {
    const values = fc.sample(arbValue, { numRuns: 300, seed: 42 }).filter((v) => py.numpyMajor === 1 || !isNpyNone(v));
    const input = new TextEncoder().encode(
      JSON.stringify(values.map((v) => Buffer.from(encodeNpy(v)).toString("base64"))),
    );
    const script = `${PY_PRELUDE}
out = []
for s in json.load(sys.stdin):
    a = np.load(io.BytesIO(base64.b64decode(s)), allow_pickle=True)
    b = io.BytesIO(); np.save(b, a); out.append(base64.b64encode(b.getvalue()).decode())
print(json.dumps(out))`;
    const back = JSON.parse(new TextDecoder().decode(runPython(script, input))) as string[];
    expect(back.length).toBe(values.length);
    values.forEach((v, i) => expect(Buffer.from(back[i] as string, "base64").toString("hex")).toBe(hex(encodeNpy(v))));
  });
});
