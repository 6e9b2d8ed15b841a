/**
 * The resident store: one packed buffer per dtype and quantity (param, grad, each state key, and a
 * noise scratch for GradientNoise), each resident parameter a segment at the same offset in every
 * buffer of its dtype, allocated when the run is created (state keys first seen later, and the
 * noise scratch, when first needed).
 *
 * In the spec-side state a resident tensor is a `ResidentArray`: an `NDArray` whose elements live
 * in the backend (its `data` is empty; only the resident driver ever sees one).
 */
import type { Dtype, NDArray } from "../../spec/index.js";
import type { AnyBackend, MaybePromise, OptimizerBuffers } from "../contract.js";
import { type Job, value } from "./job.js";

const EMPTY = new Float64Array(0);
/** Segment offsets are multiples of this many elements (16-byte or better alignment for SIMD). */
export const ALIGN = 4;

export type Role = "param" | "grad" | "state";

/** A tensor of the spec-side state whose elements are a segment of a backend buffer. */
export class ResidentArray implements NDArray {
  readonly data: Float64Array = EMPTY;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  constructor(
    readonly slot: Slot,
    readonly role: Role,
    readonly key: string,
  ) {
    this.dtype = slot.dtype;
    this.shape = slot.shape;
  }
}

/** One resident parameter: its segment and the handles of its quantities. */
export class Slot {
  readonly data: ResidentArray;
  readonly grad: ResidentArray;
  readonly state = new Map<string, ResidentArray>();
  constructor(
    readonly path: string,
    readonly index: number,
    readonly dtype: Dtype,
    readonly shape: readonly number[],
    readonly offset: number,
    readonly length: number,
  ) {
    this.data = new ResidentArray(this, "param", "");
    this.grad = new ResidentArray(this, "grad", "");
  }
  stateHandle(key: string): ResidentArray {
    let h = this.state.get(key);
    if (h === undefined) this.state.set(key, (h = new ResidentArray(this, "state", key)));
    return h;
  }
}

interface DtypeBuffers {
  readonly size: number;
  readonly param: unknown;
  readonly grad: unknown;
  noise: unknown;
  state: Record<string, unknown>;
  /** The kernels' view of these buffers, rebuilt when a state key is added. */
  optimizer: OptimizerBuffers<unknown>;
}

/** Whether `a` could live in `slot`'s segment (same dtype and element count). */
export function fits(a: NDArray, slot: Slot): boolean {
  if (a.dtype !== slot.dtype) return false;
  let n = 1;
  for (const d of a.shape) n *= d;
  return n === slot.length && a.shape.length === slot.shape.length;
}

export class Store {
  readonly slots = new Map<string, Slot>();
  readonly slotList: Slot[] = [];
  private readonly buffers = new Map<Dtype, DtypeBuffers>();
  /** Void backend calls not yet awaited (asynchronous backends). */
  private inflight: Promise<unknown>[] = [];

  constructor(readonly backend: AnyBackend) {}

  /** Lay out the resident parameters (in order) and allocate the buffers. */
  allocate(
    params: readonly { path: string; dtype: Dtype; shape: readonly number[]; length: number }[],
    stateKeys: ReadonlySet<string>,
  ): void {
    const sizes = new Map<Dtype, number>();
    for (const p of params) {
      const offset = sizes.get(p.dtype) ?? 0;
      const slot = new Slot(p.path, this.slotList.length, p.dtype, p.shape, offset, p.length);
      this.slots.set(p.path, slot);
      this.slotList.push(slot);
      sizes.set(p.dtype, offset + Math.ceil(p.length / ALIGN) * ALIGN);
    }
    const mem = this.backend.memory;
    for (const [dtype, size] of sizes) {
      const param = mem.alloc(dtype, size);
      const grad = mem.alloc(dtype, size);
      const state: Record<string, unknown> = {};
      for (const k of stateKeys) state[k] = mem.alloc(dtype, size);
      this.buffers.set(dtype, { size, param, grad, noise: null, state, optimizer: { param, grad, state } });
    }
  }

  private of(dtype: Dtype): DtypeBuffers {
    const b = this.buffers.get(dtype);
    if (b === undefined) throw new Error(`resident run: no buffers for ${dtype}`);
    return b;
  }

  /** The buffer holding a quantity of `dtype` (allocating a state key's buffer on first use). */
  buffer(dtype: Dtype, role: Role, key: string): unknown {
    const b = this.of(dtype);
    if (role === "param") return b.param;
    if (role === "grad") return b.grad;
    let s = b.state[key];
    if (s === undefined) {
      s = this.backend.memory.alloc(dtype, b.size);
      b.state = { ...b.state, [key]: s };
      b.optimizer = { param: b.param, grad: b.grad, state: b.state };
    }
    return s;
  }

  bufferOf(a: ResidentArray): unknown {
    return this.buffer(a.slot.dtype, a.role, a.key);
  }

  optimizerBuffers(dtype: Dtype): OptimizerBuffers<unknown> {
    return this.of(dtype).optimizer;
  }

  noiseBuffer(dtype: Dtype): unknown {
    const b = this.of(dtype);
    b.noise ??= this.backend.memory.alloc(dtype, b.size);
    return b.noise;
  }

  /** Issue a void backend call; an asynchronous one is awaited at the next `drain`. */
  settle(v: MaybePromise<void>): void {
    if (v instanceof Promise) {
      v.catch(() => undefined);
      this.inflight.push(v);
    }
  }

  /** Await every void call issued so far (asynchronous backends); rejections surface here. */
  *drain(): Job<void> {
    if (this.inflight.length === 0) return;
    const all = Promise.all(this.inflight);
    this.inflight = [];
    yield all;
  }

  /** The elements of a resident tensor as a plain array (pending work must be flushed first). */
  *read(a: ResidentArray): Job<NDArray> {
    const slot = a.slot;
    const data = yield* value(this.backend.memory.read(this.bufferOf(a), slot.offset, slot.length));
    return {
      dtype: slot.dtype,
      shape: slot.shape,
      data: data instanceof Float64Array ? data : Float64Array.from(data),
    };
  }

  /** A plain array as is; a resident one read back. */
  *materialize(a: NDArray): Job<NDArray> {
    return a instanceof ResidentArray ? yield* this.read(a) : a;
  }

  /** Write a plain array into a resident tensor's segment. */
  write(h: ResidentArray, a: NDArray): void {
    this.settle(this.backend.memory.write(this.bufferOf(h), a.data, h.slot.offset));
  }

  /** Keep `a` resident in `h`'s segment when it fits (writing it there), else keep it as a plain array. */
  adopt(a: NDArray, h: ResidentArray | undefined): NDArray {
    if (a instanceof ResidentArray || h === undefined || !fits(a, h.slot)) return a;
    this.write(h, a);
    return h;
  }

  free(): void {
    const mem = this.backend.memory;
    for (const b of this.buffers.values()) {
      mem.free?.(b.param);
      mem.free?.(b.grad);
      if (b.noise !== null) mem.free?.(b.noise);
      for (const s of Object.values(b.state)) mem.free?.(s);
    }
    this.buffers.clear();
  }
}
