/**
 * The golden files' value encodings (see golden/README.md): arrays carry the IEEE bits
 * of each element (authoritative), Python floats the bits of a float64.
 */
import { type NDArray, type Dtype, isDtype, fromBitsHex, toBitsHex } from "../../spec/index.js";

export interface GoldenArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bits?: string;
  readonly values?: string;
  readonly numpy_scalar?: boolean;
}

export interface GoldenPyFloat {
  readonly f64: string;
  readonly repr: string;
}

export function isGoldenArray(x: unknown): x is GoldenArray {
  return typeof x === "object" && x !== null && "dtype" in x && "shape" in x;
}

export function isGoldenPyFloat(x: unknown): x is GoldenPyFloat {
  return typeof x === "object" && x !== null && "f64" in x;
}

export const fromBits = fromBitsHex;
export const toBits = toBitsHex;

export function decodeArray(a: GoldenArray): NDArray {
  if (!isDtype(a.dtype)) throw new TypeError(`golden array of unsupported dtype ${a.dtype}`);
  const dtype = a.dtype;
  const n = a.shape.reduce((x, y) => x * y, 1);
  const data = new Float64Array(n);
  if (a.bits !== undefined) {
    const words = a.bits.length === 0 ? [] : a.bits.split(" ");
    if (words.length !== n) throw new TypeError(`golden array: ${words.length} bit words for shape [${a.shape.join(", ")}]`);
    words.forEach((w, i) => (data[i] = fromBits(dtype, w)));
  } else if (a.values !== undefined) {
    const words = a.values.length === 0 ? [] : a.values.split(" ");
    words.forEach((w, i) => (data[i] = Number(w === "nan" ? NaN : w === "inf" ? Infinity : w === "-inf" ? -Infinity : w)));
  }
  return { dtype, shape: [...a.shape], data };
}

export function decodePyFloat(x: GoldenPyFloat): number {
  return fromBitsHex("float64", x.f64);
}

/** A JSON value of a hyperparameter or argument: Python float as {f64}, int/bool/None as JSON. */
export function decodeValue(v: unknown): number | boolean | null {
  if (v === null || typeof v === "boolean" || typeof v === "number") return v;
  if (isGoldenPyFloat(v)) return decodePyFloat(v);
  throw new TypeError(`unsupported golden value ${JSON.stringify(v)}`);
}

/** Distance in units in the last place between two values of a dtype (Infinity across NaN). */
export function ulpDistance(dtype: Dtype, a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const ord = (x: number): bigint => {
    const bits = BigInt(`0x${toBits(dtype, x)}`);
    const width = dtype === "float16" ? 16n : dtype === "float32" ? 32n : 64n;
    const sign = 1n << (width - 1n);
    return bits & sign ? -(bits & (sign - 1n)) : bits;
  };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}
