/**
 * The `.npy` format (numpy's `np.save` / `np.load` of one array), as a pure codec.
 *
 * Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (uint16 LE for
 * version 1.0, uint32 LE for 2.0 and 3.0), the header — a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and ended by
 * `'\n'`, latin-1 (utf-8 for 3.0) — then the raw elements, or for an object array a pickle.
 *
 * @clause serialization.npy.decode `decodeNpy` accepts versions 1.0, 2.0 and 3.0; descrs `<`/`>`
 * (either byte order) or `|` (one-byte types only) with kinds f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1,
 * and `|O` for `None`; `fortran_order` True is decoded and reordered to C order. The payload must be
 * exactly `size × itemsize` bytes, and the decoded elements must fit the decode budget
 * (`serialization.limits.budget`), both checked before the array is allocated. Anything else
 * raises `NpyFormatError`.
 * @clause serialization.npy.encode `encodeNpy` writes the bytes numpy 1.24's `np.save` writes for a
 * C-contiguous little-endian array: a version 1.0 header (2.0 only past 65535 bytes) whose dict is
 * followed by `21 - len(repr(shape[0]))` spaces of room for growth (none for a 0-d array), then
 * spaces and `'\n'` up to a multiple of 64 bytes (a full 64 when already aligned). A NaN keeps
 * the sign and payload its double carries (narrowed as numpy's casts narrow them), so a decoded
 * quiet NaN re-encodes to its original bits.
 */
import { f16FromBits, f16ToBits, f16round } from "../numerics/float16.js";
import { NpyFormatError } from "./errors.js";
import { PickleError, checkNonePickle, nonePickle } from "./npy-pickle.js";
import {
  type NpyArray,
  type NpyDtype,
  type NpyValue,
  DTYPE_INFO,
  NPY_NONE,
  dtypeFromCode,
  isNpyNone,
  npySize,
} from "./npy-types.js";
import { PyLiteralError, type PyValue, parsePyLiteral, reprIntTuple } from "./pyliteral.js";
import { DecodeBudget } from "./limits.js";

export * from "./npy-types.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Header {
  readonly dtype: NpyDtype | "object";
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
}

/** Decode one `.npy` payload. `entryName` only labels errors; `budget` bounds the decoded size. */
export function decodeNpy(bytes: Uint8Array, entryName?: string, budget: DecodeBudget = new DecodeBudget()): NpyValue {
  const fail = (reason: string, cause?: unknown): never => {
    throw new NpyFormatError(reason, entryName, cause === undefined ? undefined : { cause });
  };
  const { header, start, headerLen } = readPreamble(bytes, fail);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payload = bytes.subarray(start + headerLen);
  if (header.dtype === "object") {
    if (header.shape.length !== 0) fail("object arrays are supported only as 0-d arrays holding None");
    try {
      checkNonePickle(payload);
    } catch (e) {
      if (e instanceof PickleError) fail(e.message, e);
      throw e;
    }
    return NPY_NONE;
  }
  return decodeData(header.dtype, header, payload, dv, start + headerLen, budget, fail);
}

type Fail = (reason: string, cause?: unknown) => never;

/** The magic, version, header length and header dict of a payload (which may be only its beginning). */
function readPreamble(bytes: Uint8Array, fail: Fail): { header: Header; start: number; headerLen: number } {
  if (bytes.length < 10) fail(`expected at least 10 bytes (magic, version, header length), got ${bytes.length}`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) fail("expected the magic string \\x93NUMPY at offset 0");
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (!(major >= 1 && major <= 3 && minor === 0))
    fail(`expected format version 1.0, 2.0 or 3.0, got ${major}.${minor}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail(`truncated: expected a ${lenBytes}-byte header length`);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes;
  if (headerLen > bytes.length - start) {
    fail(`truncated header: expected ${headerLen} header bytes, only ${bytes.length - start} present`);
  }
  const raw = bytes.subarray(start, start + headerLen);
  let text = "";
  if (major === 3) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch (e) {
      fail("expected a UTF-8 header (version 3.0)", e);
    }
  } else {
    // Latin-1 (not TextDecoder's "latin1", which is windows-1252), in chunks that fit in an argument list.
    for (let i = 0; i < raw.length; i += 0x8000) text += String.fromCharCode(...raw.subarray(i, i + 0x8000));
  }
  const header = parseHeader(text, major < 3, fail);
  return { header, start, headerLen };
}

/**
 * What the beginning of a payload declares: its total size in bytes and its element count (null
 * for a `None`), or null when `head` is too short to hold the whole header. Throws `NpyFormatError`
 * for a malformed header.
 */
export function npyDeclared(head: Uint8Array, entryName?: string): { bytes: bigint; elements: bigint | null } | null {
  const fail: Fail = (reason, cause) => {
    throw new NpyFormatError(reason, entryName, cause === undefined ? undefined : { cause });
  };
  if (head.length < 12) return null;
  const major = head[6] as number;
  const len =
    major === 1 ? head[8]! | (head[9]! << 8) : (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 2 ** 24;
  if (
    MAGIC.every((b, i) => head[i] === b) &&
    (major === 1 || major === 2 || major === 3) &&
    len > head.length - (major === 1 ? 10 : 12)
  )
    return null;
  const { header, start, headerLen } = readPreamble(head, fail);
  if (header.dtype === "object") return { bytes: BigInt(-1), elements: null };
  let count = 1n;
  for (const d of header.shape) count *= BigInt(d);
  return { bytes: BigInt(start + headerLen) + count * BigInt(DTYPE_INFO[header.dtype].size), elements: count };
}

function parseHeader(text: string, longSuffix: boolean, fail: (reason: string, cause?: unknown) => never): Header {
  let lit: PyValue;
  try {
    lit = parsePyLiteral(text, longSuffix);
  } catch (e) {
    if (e instanceof PyLiteralError) return fail(`expected the header to be a Python dict literal: ${e.message}`, e);
    throw e;
  }
  if (lit.t !== "dict") return fail("expected the header to be a Python dict literal");
  const keys = [...lit.v.keys()].sort();
  if (keys.join() !== "descr,fortran_order,shape") {
    return fail(
      `expected header keys 'descr', 'fortran_order', 'shape', got ${keys.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  }
  const descr = lit.v.get("descr");
  const fortran = lit.v.get("fortran_order");
  const shapeLit = lit.v.get("shape");
  if (fortran?.t !== "bool") return fail("expected 'fortran_order' to be True or False");
  if (shapeLit?.t !== "tuple") return fail("expected 'shape' to be a tuple");
  const shape: number[] = [];
  for (const d of shapeLit.v) {
    if (d.t !== "int" || d.v < 0n || d.v > BigInt(Number.MAX_SAFE_INTEGER)) {
      return fail("expected 'shape' to hold non-negative integers below 2**53");
    }
    shape.push(Number(d.v));
  }
  if (descr?.t !== "str") return fail("expected 'descr' to be a string (structured dtypes are not supported)");
  if (descr.v === "|O") return { dtype: "object", littleEndian: true, fortranOrder: fortran.v, shape };
  const m = /^([<>|])([fiub])([1248])$/.exec(descr.v);
  const dtype = m === null ? undefined : dtypeFromCode(m[2] as string, Number(m[3]));
  if (m === null || dtype === undefined || (m[1] === "|" && DTYPE_INFO[dtype].size !== 1)) {
    return fail(
      `unknown descr ${JSON.stringify(descr.v)}: expected one of f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 with '<' or '>' ('|' for one byte), or '|O'`,
    );
  }
  return { dtype, littleEndian: m[1] !== ">", fortranOrder: fortran.v, shape };
}

function decodeData(
  dtype: NpyDtype,
  h: Header,
  payload: Uint8Array,
  dv: DataView,
  base: number,
  budget: DecodeBudget,
  fail: (reason: string) => never,
): NpyArray {
  const size = DTYPE_INFO[dtype].size;
  let count = 1n;
  for (const d of h.shape) count *= BigInt(d);
  const expected = count * BigInt(size);
  if (expected !== BigInt(payload.length)) {
    fail(
      `shape (${h.shape.join(", ")}) of ${dtype} needs ${expected} data bytes, found ${payload.length}` +
        (expected < BigInt(payload.length) ? " (trailing garbage)" : " (truncated)"),
    );
  }
  const refused = budget.reserve(count * 8n, `declares ${count} elements (${count * 8n} bytes decoded)`);
  if (refused !== null) fail(refused);
  const n = Number(count);
  const le = h.littleEndian;
  const order = h.fortranOrder && h.shape.length > 1 ? fortranToC(h.shape) : undefined;
  const at = (i: number): number => base + (order === undefined ? i : (order[i] as number)) * size;
  const shape = [...h.shape];
  if (dtype === "int64" || dtype === "uint64") {
    if (dtype === "int64") {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = dv.getBigInt64(at(i), le);
      return { dtype, shape, data };
    }
    const data = new BigUint64Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getBigUint64(at(i), le);
    return { dtype, shape, data };
  }
  const data = new Float64Array(n);
  const read = readerFor(dtype, dv, le);
  for (let i = 0; i < n; i++) data[i] = read(at(i));
  if (dtype === "bool") {
    const bad = data.findIndex((x) => x > 1);
    if (bad >= 0) fail(`bool element ${bad} is byte ${data[bad]}: expected 0 or 1`);
    return { dtype, shape, data };
  }
  return { dtype, shape, data };
}

function readerFor(dtype: Exclude<NpyDtype, "int64" | "uint64">, dv: DataView, le: boolean): (o: number) => number {
  switch (dtype) {
    case "float16":
      return (o) => f16FromBits(dv.getUint16(o, le));
    case "float32":
      return (o) => dv.getFloat32(o, le);
    case "float64":
      return (o) => dv.getFloat64(o, le);
    case "int8":
      return (o) => dv.getInt8(o);
    case "int16":
      return (o) => dv.getInt16(o, le);
    case "int32":
      return (o) => dv.getInt32(o, le);
    case "uint8":
    case "bool":
      return (o) => dv.getUint8(o);
    case "uint16":
      return (o) => dv.getUint16(o, le);
    case "uint32":
      return (o) => dv.getUint32(o, le);
  }
}

/** For each C-order position, the position of that element in Fortran order. */
function fortranToC(shape: readonly number[]): Float64Array {
  const n = npySize(shape);
  const out = new Float64Array(n);
  const idx = Array.from({ length: shape.length }, () => 0);
  const stride = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1));
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let k = 0; k < shape.length; k++) f += (idx[k] as number) * (stride[k] as number);
    out[i] = f;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (shape[k] as number)) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** The header numpy 1.24 writes: version 1.0 unless it exceeds 65535 bytes, then 2.0. */
function preamble(descr: string, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${reprIntTuple(shape)}, }`;
  if (shape.length > 0) dict += " ".repeat(Math.max(0, 21 - String(shape[0]).length));
  const hlen = dict.length + 1;
  // numpy pads so that magic + version + length field + header is a multiple of 64 (adding a full
  // 64 when it already is), and falls back to version 2.0 when that does not fit in a uint16.
  const total1 = hlen + 64 - ((10 + hlen) % 64);
  const lenBytes = total1 <= 0xffff ? 2 : 4;
  const pad = 64 - ((8 + lenBytes + hlen) % 64);
  const total = hlen + pad;
  const out = new Uint8Array(8 + lenBytes + total);
  out.set(MAGIC);
  out[6] = lenBytes === 2 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (lenBytes === 2) dv.setUint16(8, total, true);
  else dv.setUint32(8, total, true);
  const text = dict + " ".repeat(pad) + "\n";
  for (let i = 0; i < text.length; i++) out[8 + lenBytes + i] = text.charCodeAt(i);
  return out;
}

/**
 * Encode as numpy 1.24's `np.save` would (little-endian, C order). Throws `RangeError` when `arr`
 * breaks its own invariants (shape/data length, values not representable in the dtype).
 */
export function encodeNpy(arr: NpyValue): Uint8Array {
  if (isNpyNone(arr)) {
    const head = preamble("|O", []);
    const pickle = nonePickle();
    const out = new Uint8Array(head.length + pickle.length);
    out.set(head);
    out.set(pickle, head.length);
    return out;
  }
  const { dtype, shape } = arr;
  const info = DTYPE_INFO[dtype];
  if (info === undefined) throw new RangeError(`encodeNpy: unknown dtype ${String(dtype)}`);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RangeError(`encodeNpy: shape [${shape.join(", ")}] must hold non-negative safe integers`);
  }
  const n = npySize(shape);
  if (arr.data.length !== n)
    throw new RangeError(`encodeNpy: shape [${shape.join(", ")}] needs ${n} elements, data has ${arr.data.length}`);
  const descr = `${info.size === 1 ? "|" : "<"}${info.kind}${info.size}`;
  const head = preamble(descr, shape);
  const out = new Uint8Array(head.length + n * info.size);
  out.set(head);
  const dv = new DataView(out.buffer, head.length);
  if (arr.dtype === "int64" || arr.dtype === "uint64") {
    const data = arr.data;
    if (!(data instanceof (arr.dtype === "int64" ? BigInt64Array : BigUint64Array))) {
      throw new RangeError(
        `encodeNpy: ${arr.dtype} data must be a ${arr.dtype === "int64" ? "BigInt64Array" : "BigUint64Array"}`,
      );
    }
    for (let i = 0; i < n; i++) dv.setBigUint64(i * 8, BigInt.asUintN(64, data[i] as bigint), true);
    return out;
  }
  const data = arr.data;
  for (let i = 0; i < n; i++) writeElement(dv, i * info.size, arr.dtype, data[i] as number, i);
  return out;
}

function writeElement(
  dv: DataView,
  o: number,
  dtype: Exclude<NpyDtype, "int64" | "uint64">,
  x: number,
  i: number,
): void {
  const bad = (): never => {
    throw new RangeError(`encodeNpy: element ${i} (${x}) is not a ${dtype} value`);
  };
  switch (dtype) {
    case "float16":
      if (x === x && f16round(x) !== x) bad();
      dv.setUint16(o, f16ToBits(x), true);
      return;
    case "float32":
      if (x === x && Math.fround(x) !== x) bad();
      dv.setFloat32(o, x, true);
      return;
    case "float64":
      dv.setFloat64(o, x, true);
      return;
    default: {
      const info = DTYPE_INFO[dtype];
      if (!Number.isInteger(x) || x < (info.min as number) || x > (info.max as number)) bad();
      if (info.kind === "i") {
        if (info.size === 1) dv.setInt8(o, x);
        else if (info.size === 2) dv.setInt16(o, x, true);
        else dv.setInt32(o, x, true);
      } else if (info.size === 1) dv.setUint8(o, x);
      else if (info.size === 2) dv.setUint16(o, x, true);
      else dv.setUint32(o, x, true);
    }
  }
}
