/** Shared fixtures for the NPY/NPZ codec tests: golden data, python3 access, arbitraries, byte tools. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { GOLDEN_DIR } from "../../helpers/golden-dir.js";
import { f16FromBits } from "../../../spec/numerics/float16.js";
import { toBitsHex } from "../../../spec/numerics/bits.js";
import {
  type NpyArray,
  type NpyDtype,
  type NpyValue,
  DTYPE_INFO,
  NPY_DTYPES,
  NPY_NONE,
  isNpyNone,
  npySize,
} from "../../../spec/serialization/npy.js";

// ---------------------------------------------------------------- golden data

export { GOLDEN_DIR };

export interface GoldenKey {
  key: string;
  dtype: string;
  shape: number[];
  value: { dtype: string; shape: number[]; bits?: string; values?: string };
}
export interface GoldenCase {
  id: string;
  npz: { keys: GoldenKey[]; sha256: string; size: number; base64: string };
}

export function loadSerializationGolden(): GoldenCase[] {
  const file = path.join(GOLDEN_DIR, "serialization.json");
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing`);
  const json = JSON.parse(readFileSync(file, "utf8")) as { cases: GoldenCase[] };
  return json.cases;
}

/** The golden notation of an array's elements: hex IEEE bits for floats, decimal values otherwise. */
export function goldenNotation(a: NpyArray): { bits?: string; values?: string } {
  const out: string[] = [];
  for (const x of a.data) {
    if (typeof x === "bigint") out.push(x.toString());
    else if (a.dtype === "float16" || a.dtype === "float32" || a.dtype === "float64") out.push(toBitsHex(a.dtype, x));
    else out.push(String(x));
  }
  return DTYPE_INFO[a.dtype].kind === "f" ? { bits: out.join(" ") } : { values: out.join(" ") };
}

// ---------------------------------------------------------------- python3 + numpy

const PYTHON = process.env["OPTSPEC_PYTHON"] ?? "python3";

export interface PythonStatus {
  ok: boolean;
  /** Why the cross-checks are skipped, or which versions they use. */
  reason: string;
  numpyMajor: number;
}

export function probePython(): PythonStatus {
  const r = spawnSync(PYTHON, ["-c", "import sys, numpy; print(numpy.__version__, sys.version.split()[0])"], {
    encoding: "utf8",
  });
  if (r.error !== undefined || r.status !== 0) {
    return {
      ok: false,
      reason: `skipped: ${PYTHON} with numpy is not available (${r.error?.message ?? r.stderr.trim().split("\n").pop()})`,
      numpyMajor: 0,
    };
  }
  const [np = "?", py = "?"] = r.stdout.trim().split(" ");
  return { ok: true, reason: `numpy ${np}, Python ${py}`, numpyMajor: Number(np.split(".")[0]) };
}

/** Run a python script with `input` on stdin; returns stdout. Fails the test on a non-zero exit. */
export function runPython(script: string, input: Uint8Array = new Uint8Array(0), args: string[] = []): Uint8Array {
  const r = spawnSync(PYTHON, ["-c", script, ...args], { input, maxBuffer: 1 << 28 });
  if (r.error !== undefined || r.status !== 0)
    throw new Error(`python failed: ${r.error?.message ?? r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

/** Python prelude: numpy, and `zipfile`'s clock pinned to 1980-01-01 00:00 as for the golden files. */
export const PY_PRELUDE = `
import sys, io, json, base64, time, types, zipfile
import numpy as np
_t = time.struct_time((1980, 1, 1, 0, 0, 0, 1, 1, 0))
zipfile.time = types.SimpleNamespace(time=lambda: 315532800.0, localtime=lambda *a: _t, struct_time=time.struct_time)
`;

// ---------------------------------------------------------------- arbitraries

export const arbShape: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant([] as number[]),
  fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
);

function arbElement(dtype: NpyDtype): fc.Arbitrary<number | bigint> {
  const info = DTYPE_INFO[dtype];
  switch (dtype) {
    case "float16":
      return fc.integer({ min: 0, max: 0xffff }).map(f16FromBits);
    case "float32":
      return fc.float();
    case "float64":
      return fc.double();
    case "int64":
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case "uint64":
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    default:
      return fc.integer({ min: info.min as number, max: info.max as number });
  }
}

export function makeArray(dtype: NpyDtype, shape: number[], xs: readonly (number | bigint)[]): NpyArray {
  if (dtype === "int64") return { dtype, shape, data: BigInt64Array.from(xs as bigint[]) };
  if (dtype === "uint64") return { dtype, shape, data: BigUint64Array.from(xs as bigint[]) };
  return { dtype, shape, data: Float64Array.from(xs as number[]) } as NpyArray;
}

export function arbArray(dtypes: readonly NpyDtype[] = NPY_DTYPES): fc.Arbitrary<NpyArray> {
  return fc.tuple(fc.constantFrom(...dtypes), arbShape).chain(([dtype, shape]) => {
    const n = npySize(shape);
    return fc.array(arbElement(dtype), { minLength: n, maxLength: n }).map((xs) => makeArray(dtype, shape, xs));
  });
}

export const arbValue: fc.Arbitrary<NpyValue> = fc.oneof(
  { arbitrary: arbArray(), weight: 12 },
  { arbitrary: fc.constant(NPY_NONE), weight: 1 },
);

/** Same dtype, shape and elements (Object.is, so -0 and NaN count). */
export function sameValue(a: NpyValue, b: NpyValue): boolean {
  if (isNpyNone(a) || isNpyNone(b)) return isNpyNone(a) && isNpyNone(b);
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    return false;
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

// ---------------------------------------------------------------- byte mutations

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array };

export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
);

export function mutate(bytes: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of muts) {
    const at = m.at % (b.length + 1);
    if (m.kind === "truncate") b = b.slice(0, at);
    else if (m.kind === "insert") b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (at < b.length) b[at] = m.kind === "flip" ? (b[at] as number) ^ (1 << m.bit) : m.value;
  }
  return b;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
}
