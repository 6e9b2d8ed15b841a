/**
 * Linear memory of the Wasm backend. Buffers are handles (`ptr`, `length`, `dtype`) into the one
 * memory of the kernels' instance; typed-array views are re-created whenever the memory has grown
 * (growth detaches the old `ArrayBuffer`), so a view is never kept across an `alloc`.
 *
 * Growth happens only in `alloc`, geometrically, never during a kernel call: a run allocates its
 * buffers when it is created and steps without growing. It never calls `memory.grow` (which would
 * detach the old `ArrayBuffer` and slow every typed-array loop in the process, see `instance.ts`):
 * the used bytes move to a new, larger `WebAssembly.Memory` and the module is instantiated again
 * over it; pointers stay valid, and kernels look their exports up per call. The segment table the kernels read is
 * reserved once, at instantiation (`TABLE_ROWS` rows); calls with more segments run in chunks.
 * Freed blocks go to a first-fit free list with coalescing, so repeated alloc/free cycles (the
 * per-call engine, the conformance kit) reuse memory instead of growing it.
 */
import type { Memory } from "../contract.js";
import { checkSegmentBounds } from "../kernel-scalars.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import {
  type CompiledKernels,
  type KernelExports,
  type WasmMemoryObject,
  compileModule,
  exported,
  instantiate,
  newMemory,
} from "./instance.js";

export type WasmDtype = "float32" | "float64";

/** A buffer of the Wasm backend: a byte pointer into linear memory and a length in elements. */
export interface WasmBuffer {
  readonly dtype: WasmDtype;
  readonly ptr: number;
  readonly length: number;
}

/** float64 slots per segment-table row (must match `assembly/table.ts`). */
export const ROW_F64 = 16;
/** Scalars per row after offset and length. */
export const ROW_SCALARS = ROW_F64 - 2;
/** Rows reserved for the segment table. */
export const TABLE_ROWS = 4096;

const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 16;

export const elementSize = (dtype: WasmDtype): number => (dtype === "float32" ? 4 : 8);

interface Block {
  ptr: number;
  size: number;
}

/** Initial linear memory: the segment table plus about 1 MiB. */
const INITIAL_PAGES = 24;

export class WasmHeap {
  private readonly module: CompiledKernels;
  private memory: WasmMemoryObject;
  private instance: KernelExports;
  private readonly fns = new Map<string, unknown>();
  /** Byte pointer of the segment table. */
  readonly table: number;
  private top: number;
  private freeList: Block[] = [];
  private readonly sizes = new Map<WasmBuffer, number>();
  private cached: ArrayBuffer | undefined;
  private f32v = new Float32Array(0);
  private f64v = new Float64Array(0);

  /** Over the embedded kernels, or over another compiled build of them (tests use deliberately wrong ones). */
  constructor(module: CompiledKernels = compileModule()) {
    this.module = module;
    this.memory = newMemory(INITIAL_PAGES);
    this.instance = instantiate(module, this.memory);
    const base = Math.ceil(this.instance.heapBase() / ALIGN) * ALIGN;
    this.table = base;
    this.top = base + TABLE_ROWS * ROW_F64 * 8;
    this.ensure(this.top);
  }

  /** The current instance's exports (they change when the heap moves to a larger memory). */
  get exports(): KernelExports {
    return this.instance;
  }

  /** An export of the current instance, by name. */
  fn<F>(name: string): F {
    let f = this.fns.get(name);
    if (f === undefined) {
      f = exported<F>(this.instance, name);
      this.fns.set(name, f);
    }
    return f as F;
  }

  /** Bytes of linear memory (reserved or in use). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const needPages = Math.ceil(end / PAGE);
    if (needPages > MAX_PAGES)
      throw new RangeError(`wasm backend: ${end} bytes exceed the 4 GiB of wasm32 linear memory`);
    const pages = Math.min(MAX_PAGES, Math.max(needPages, 2 * (have / PAGE)));
    const next = newMemory(pages);
    new Uint8Array(next.buffer).set(new Uint8Array(this.memory.buffer, 0, this.top));
    this.memory = next;
    this.instance = instantiate(this.module, next);
    this.fns.clear();
  }

  alloc(dtype: Dtype, length: number): WasmBuffer {
    if (dtype !== "float32" && dtype !== "float64") {
      throw new TypeError(
        `wasm backend: dtype ${dtype} is not computed by this backend (float16 runs through the spec)`,
      );
    }
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`wasm backend: invalid length ${length}`);
    const size = Math.max(ALIGN, Math.ceil((length * elementSize(dtype)) / ALIGN) * ALIGN);
    let ptr = -1;
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i]!;
      if (b.size >= size) {
        ptr = b.ptr;
        if (b.size === size) this.freeList.splice(i, 1);
        else {
          b.ptr += size;
          b.size -= size;
        }
        break;
      }
    }
    if (ptr < 0) {
      ptr = this.top;
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    const buf: WasmBuffer = Object.freeze({ dtype, ptr, length });
    this.sizes.set(buf, size);
    // Fresh buffers read as zeros, like a new typed array (reused blocks hold old data).
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return buf;
  }

  free(buf: WasmBuffer): void {
    const size = this.sizes.get(buf);
    if (size === undefined) return; // not ours, or already freed
    this.sizes.delete(buf);
    let ptr = buf.ptr;
    let sz = size;
    // Insert sorted by address, merging with neighbours; a block reaching the top lowers it.
    let i = 0;
    while (i < this.freeList.length && this.freeList[i]!.ptr < ptr) i++;
    const prev = this.freeList[i - 1];
    const next = this.freeList[i];
    if (next !== undefined && ptr + sz === next.ptr) {
      sz += next.size;
      this.freeList.splice(i, 1);
    }
    if (prev !== undefined && prev.ptr + prev.size === ptr) {
      prev.size += sz;
      ptr = prev.ptr;
      sz = prev.size;
      this.freeList.splice(i - 1, 1);
      i--;
    }
    if (ptr + sz === this.top) this.top = ptr;
    else this.freeList.splice(i, 0, { ptr, size: sz });
  }

  /** Throws unless `buf` is a live buffer of this heap with the given dtype. */
  check(buf: unknown, dtype: WasmDtype, what: string): WasmBuffer {
    if (typeof buf !== "object" || buf === null || !this.sizes.has(buf as WasmBuffer)) {
      throw new TypeError(`wasm backend: ${what} is not a live buffer of this backend`);
    }
    const b = buf as WasmBuffer;
    if (b.dtype !== dtype) throw new TypeError(`wasm backend: ${what} is a ${b.dtype} buffer, the call is ${dtype}`);
    return b;
  }

  private refresh(): void {
    const ab = this.memory.buffer;
    if (ab !== this.cached) {
      this.cached = ab;
      this.f32v = new Float32Array(ab);
      this.f64v = new Float64Array(ab);
    }
  }

  /** A typed-array view of the buffer (valid until the next `alloc`); writes go straight to the buffer. */
  view(buf: WasmBuffer): Float32Array | Float64Array {
    this.refresh();
    const first = buf.ptr / elementSize(buf.dtype);
    return buf.dtype === "float32"
      ? this.f32v.subarray(first, first + buf.length)
      : this.f64v.subarray(first, first + buf.length);
  }

  /** The segment table as float64 slots (valid until the next `alloc`). */
  tableView(): Float64Array {
    this.refresh();
    const first = this.table / 8;
    return this.f64v.subarray(first, first + TABLE_ROWS * ROW_F64);
  }
}

function checkRange(offset: number, length: number, limit: number): void {
  checkSegmentBounds("wasm backend", offset, length, limit);
}
export { checkRange };

/** The contract's `Memory` over a heap, with `view` (writable, e.g. for gradients in place). */
export interface WasmMemory extends Memory<WasmBuffer> {
  view(buf: WasmBuffer, offset?: number, length?: number): Float32Array | Float64Array;
}

export function wasmMemory(heap: WasmHeap): WasmMemory {
  const live = (buf: WasmBuffer): WasmBuffer => heap.check(buf, buf.dtype, "buffer");
  return {
    alloc: (dtype, length) => heap.alloc(dtype, length),
    write(buf, values, offset = 0): void {
      live(buf);
      checkRange(offset, values.length, buf.length);
      heap.view(buf).set(values, offset);
    },
    read(buf, offset = 0, length?: number): Float64Array {
      live(buf);
      const n = length ?? buf.length - offset;
      checkRange(offset, n, buf.length);
      return Float64Array.from(heap.view(buf).subarray(offset, offset + n));
    },
    free: (buf) => heap.free(buf),
    view(buf, offset = 0, length?: number): Float32Array | Float64Array {
      live(buf);
      const n = length ?? buf.length - offset;
      checkRange(offset, n, buf.length);
      return heap.view(buf).subarray(offset, offset + n);
    },
  };
}
