/**
 * The roofline: a STREAM-triad kernel `a[i] = b[i] + s·c[i]` in Wasm SIMD128 (f32x4 / f64x2),
 * hand-assembled below so that it needs no toolchain. It runs on an imported
 * `WebAssembly.Memory` sized up front for the arrays, which never grows: growing a memory detaches
 * its old ArrayBuffer, and a detach slows every JS typed-array loop in the process for good.
 *
 * Bytes per element follow the STREAM convention: 3 arrays (read b, c; write a), 12 B for float32
 * and 24 B for float64; the write-allocate traffic of `a` is not counted.
 */
import type { Dtype } from "../spec/index.js";
import type { Case } from "./case.js";
import { bytesPerElement } from "./bytes.js";

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b;
const simd = (op: number): number[] => [0xfd, ...leb(op)];

/**
 * triad(a, b, c, n, s): byte offsets a, b, c; n elements (a multiple of four vectors); scalar s.
 * Locals: 5 = i (byte index), 6 = end (bytes), 7 = splat(s).
 */
function triadBody(lanesLog2: number, sizeLog2: number, splat: number, mul: number, add: number): number[] {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const code = [
    ...get(4),
    ...simd(splat),
    ...set(7),
    // end = (n & -(4·lanes)) << log2(size): four vectors per iteration
    ...get(3),
    0x41,
    ...signedLeb(-(4 << lanesLog2)),
    0x71,
    0x41,
    sizeLog2,
    0x74,
    ...set(6),
    0x41,
    0,
    ...set(5),
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...get(5),
    ...get(6),
    0x4f,
    0x0d,
    1, // i >= end → break
    ...[0, 16, 32, 48].flatMap((off) => [
      ...get(0),
      ...get(5),
      0x6a, // &a[i]
      ...get(1),
      ...get(5),
      0x6a,
      ...simd(0x00),
      4,
      off, // v128.load b[i + off]
      ...get(2),
      ...get(5),
      0x6a,
      ...simd(0x00),
      4,
      off, // v128.load c[i + off]
      ...get(7),
      ...simd(mul),
      ...simd(add),
      ...simd(0x0b),
      4,
      off, // v128.store a[i + off]
    ]),
    ...get(5),
    0x41,
    ...signedLeb(64),
    0x6a,
    ...set(5),
    0x0c,
    0, // br loop
    0x0b,
    0x0b, // end loop, end block
    0x0b, // end function
  ];
  const locals = vec([
    [2, I32],
    [1, V128],
  ]);
  const body = [...locals, ...code];
  return [...leb(body.length), ...body];
}

function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** The module's bytes: imports env.memory, exports triad32 and triad64. */
export function triadModuleBytes(): Uint8Array {
  const types = section(
    1,
    vec([
      [0x60, ...vec([[I32], [I32], [I32], [I32], [F32]]), 0],
      [0x60, ...vec([[I32], [I32], [I32], [I32], [F64]]), 0],
    ]),
  );
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, 1]]));
  const funcs = section(3, vec([[0], [1]]));
  const exports = section(
    7,
    vec([
      [...name("triad32"), 0x00, 0],
      [...name("triad64"), 0x00, 1],
    ]),
  );
  const code = section(
    10,
    vec([
      triadBody(2, 2, 0x13, 0xe6, 0xe4), // f32x4.splat, f32x4.mul, f32x4.add
      triadBody(1, 3, 0x14, 0xf2, 0xf0), // f64x2.splat, f64x2.mul, f64x2.add
    ]),
  );
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

type TriadFn = (a: number, b: number, c: number, n: number, s: number) => void;

/** The slice of the WebAssembly JS API used here (the project's lib settings do not declare it). */
interface WasmApi {
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { readonly exports: Readonly<Record<string, unknown>> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface Triad {
  readonly dtype: Dtype;
  readonly elements: number;
  /** Bytes the triad moves per element (STREAM convention). */
  readonly bytesPerElement: number;
  /** One triad over the arrays. */
  run(): void;
}

const WASM_PAGE = 65536;

/** A triad over `n` elements of `dtype` in a fresh memory of exactly the needed size. */
export function createTriad(dtype: "float32" | "float64", n: number): Triad {
  const size = dtype === "float32" ? 4 : 8;
  if (n % (64 / size) !== 0)
    throw new RangeError(`triad: ${n} elements is not a multiple of ${64 / size} (four vectors)`);
  const bytes = n * size;
  const memory = new Wasm.Memory({ initial: Math.max(1, Math.ceil((3 * bytes) / WASM_PAGE)) });
  const instance = new Wasm.Instance(new Wasm.Module(triadModuleBytes()), { env: { memory } });
  const fn = instance.exports[dtype === "float32" ? "triad32" : "triad64"] as TriadFn;
  const Arr = dtype === "float32" ? Float32Array : Float64Array;
  const a = new Arr(memory.buffer, 0, n);
  const b = new Arr(memory.buffer, bytes, n);
  const c = new Arr(memory.buffer, 2 * bytes, n);
  for (let i = 0; i < n; i++) {
    b[i] = (i % 97) / 97;
    c[i] = (i % 89) / 89;
  }
  fn(0, bytes, 2 * bytes, n, 3);
  for (const i of [0, 1, n >> 1, n - 1]) {
    const want =
      dtype === "float32"
        ? Math.fround((b[i] as number) + Math.fround(3 * (c[i] as number)))
        : (b[i] as number) + 3 * (c[i] as number);
    if (a[i] !== want) throw new Error(`triad self-check failed at ${i}: ${a[i]} != ${want}`);
  }
  return { dtype, elements: n, bytesPerElement: 3 * size, run: () => fn(0, bytes, 2 * bytes, n, 3) };
}

/** The roofline as a benchmark case: one triad over `n` elements per operation. */
export function triadCase(dtype: "float32" | "float64", n: number): Case {
  return {
    via: "roofline",
    backend: "wasm-triad",
    kernel: "triad",
    variant: "triad",
    category: "roofline",
    dtype,
    elements: n,
    tensors: 1,
    bytesPerElement: bytesPerElement("triad", dtype) as number,
    prepare() {
      const t = createTriad(dtype, n);
      return { step: () => t.run(), dispose: () => undefined };
    },
  };
}
