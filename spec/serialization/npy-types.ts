/**
 * The plain data an `.npy` payload decodes to.
 *
 * @clause serialization.npy.representation An array is `{dtype, shape, data}` with `data` in C
 * order. Floats (float16/32/64) are doubles in a `Float64Array`, each exactly representable in the
 * dtype (float16 and float32 values widened, which is exact; -0 kept; a NaN keeps its sign and,
 * quieted, its payload).
 * int8..int32, uint8..uint32 and bool (0 or 1) are doubles in a `Float64Array`; int64 is a
 * `BigInt64Array`, uint64 a `BigUint64Array`. A float array is therefore also an `NDArray`.
 * Python `None` (a 0-d object array) is the marker `{kind: 'none'}`.
 */

export type NpyFloatDtype = "float16" | "float32" | "float64";
export type NpySmallIntDtype = "int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32" | "bool";
export type NpyDtype = NpyFloatDtype | NpySmallIntDtype | "int64" | "uint64";

interface Shaped {
  readonly shape: readonly number[];
}
export interface NpyFloatArray extends Shaped {
  readonly dtype: NpyFloatDtype;
  readonly data: Float64Array;
}
export interface NpySmallIntArray extends Shaped {
  readonly dtype: NpySmallIntDtype;
  readonly data: Float64Array;
}
export interface NpyInt64Array extends Shaped {
  readonly dtype: "int64";
  readonly data: BigInt64Array;
}
export interface NpyUint64Array extends Shaped {
  readonly dtype: "uint64";
  readonly data: BigUint64Array;
}
export type NpyArray = NpyFloatArray | NpySmallIntArray | NpyInt64Array | NpyUint64Array;

/** Python `None`, as Chainer's serializer stores it (a 0-d numpy object array). */
export interface NpyNone {
  readonly kind: "none";
}
export const NPY_NONE: NpyNone = Object.freeze({ kind: "none" });

/** What one `.npy` payload holds. */
export type NpyValue = NpyArray | NpyNone;

export function isNpyNone(v: NpyValue): v is NpyNone {
  return "kind" in v && v.kind === "none";
}

export const NPY_DTYPES: readonly NpyDtype[] = [
  "float16",
  "float32",
  "float64",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "bool",
];

interface DtypeInfo {
  /** numpy's kind character and item size, as in the descr `'<f4'`. */
  readonly kind: "f" | "i" | "u" | "b";
  readonly size: 1 | 2 | 4 | 8;
  /** Range of the integer types (bool: 0..1). */
  readonly min?: number;
  readonly max?: number;
}

export const DTYPE_INFO: Readonly<Record<NpyDtype, DtypeInfo>> = {
  float16: { kind: "f", size: 2 },
  float32: { kind: "f", size: 4 },
  float64: { kind: "f", size: 8 },
  int8: { kind: "i", size: 1, min: -0x80, max: 0x7f },
  int16: { kind: "i", size: 2, min: -0x8000, max: 0x7fff },
  int32: { kind: "i", size: 4, min: -0x80000000, max: 0x7fffffff },
  int64: { kind: "i", size: 8 },
  uint8: { kind: "u", size: 1, min: 0, max: 0xff },
  uint16: { kind: "u", size: 2, min: 0, max: 0xffff },
  uint32: { kind: "u", size: 4, min: 0, max: 0xffffffff },
  uint64: { kind: "u", size: 8 },
  bool: { kind: "b", size: 1, min: 0, max: 1 },
};

/** The dtype with numpy kind character `kind` and item size `size`, if this codec knows it. */
export function dtypeFromCode(kind: string, size: number): NpyDtype | undefined {
  return NPY_DTYPES.find((d) => DTYPE_INFO[d].kind === kind && DTYPE_INFO[d].size === size);
}

/** Number of elements of `shape` (1 for a 0-d array). */
export function npySize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
