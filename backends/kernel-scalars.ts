/**
 * The per-segment scalar table every backend's optimizer kernels read: one row of float64 values
 * per segment, a fixed stride, named field offsets. JS kernels read it directly; a Wasm backend
 * copies it into linear memory and a WebGPU backend into a storage buffer, so that a
 * multi-segment call is one call over the table.
 *
 * Row layout (`scalarLayout`): `offset`, `length`, `spec`, then the optimizer's declared scalars
 * (`OptimizerDef.kernelScalars`, `spec/optimizers/kernel-scalars.ts`) in their declared order,
 * each a Python float in float64 (not yet rounded to the dtype) or a 0/1 flag; a scalar whose
 * `when` flag is off reads 0. `spec = 1` marks a segment whose Python-float scalars widen the
 * dtype (numpy 1.x value-based casting, `widensDtype`): the backend must run the spec's own update
 * for it (the JS backend: `specUpdateSegment`), since every later intermediate widens too.
 *
 * Packing validates everything before any kernel writes: segment bounds, the settings the kernel
 * must refuse (`refuse`, RangeError), the state buffers and rule extras the segment needs
 * (TypeError), and the scalars themselves (which raise where Python raises). A call that throws
 * has written nothing. Costly scalars (`memo`: Adam's alpha_t, two correctly rounded powers;
 * MSVAG's rho, four) are reused while their inputs repeat, as consecutive segments of one model
 * usually share them.
 */
import type { Segment } from "./contract.js";
import type { Dtype } from "../spec/numerics/dtype.js";
import { num } from "../spec/hyperparam.js";
import {
  type KernelNeed,
  type KernelScalar,
  type KernelScalars,
  widensDtype,
} from "../spec/optimizers/kernel-scalars.js";

/** Field offsets of the row header. */
export const SEG_OFFSET = 0;
export const SEG_LENGTH = 1;
export const SEG_SPEC = 2;
const HEADER = 3;

export interface ScalarLayout {
  /** Float64 values per row. */
  readonly stride: number;
  /** Offset within a row of `offset`, `length`, `spec` and each declared scalar, by name. */
  readonly field: Readonly<Record<string, number>>;
}

/** The row layout of an optimizer's kernel scalars. */
export function scalarLayout(desc: KernelScalars): ScalarLayout {
  const field: Record<string, number> = { offset: SEG_OFFSET, length: SEG_LENGTH, spec: SEG_SPEC };
  desc.scalars.forEach((s, i) => {
    if (s.name in field) throw new TypeError(`kernel scalars: duplicate field ${s.name}`);
    field[s.name] = HEADER + i;
  });
  return { stride: HEADER + desc.scalars.length, field };
}

/** Throws a RangeError unless `[offset, offset + length)` lies within `[0, limit)`. */
export function checkSegmentBounds(label: string, offset: number, length: number, limit: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`${label}: invalid segment offset ${offset} / length ${length}`);
  }
  if (offset + length > limit) {
    throw new RangeError(`${label}: segment [${offset}, ${offset + length}) exceeds a buffer of ${limit} elements`);
  }
}

/** The last inputs and value of a memoized scalar (inputs compared with Object.is). */
class Memo {
  private readonly last: number[];
  private value = NaN;
  private valid = false;
  constructor(private readonly s: KernelScalar) {
    const m = s.memo!;
    this.last = Array.from({ length: m.hp.length + (m.extras?.length ?? 0) + 1 }, () => NaN);
  }
  get(hp: Segment["hp"], t: number, extras: Segment["extras"]): number {
    const m = this.s.memo!;
    const last = this.last;
    // Invalid until the new inputs are all recorded and the value computed: a read or a value
    // that raises midway leaves nothing to reuse.
    let same = this.valid;
    this.valid = false;
    let j = 0;
    for (const n of m.hp) {
      const x = num(hp, n);
      if (!Object.is(x, last[j])) same = false;
      last[j++] = x;
    }
    for (const n of m.extras ?? []) {
      const x = extras[n] as number;
      if (!Object.is(x, last[j])) same = false;
      last[j++] = x;
    }
    const tk = m.t === true ? t : 0;
    if (!Object.is(tk, last[j])) same = false;
    last[j] = tk;
    if (!same) this.value = this.s.value(hp, t, extras);
    this.valid = true;
    return this.value;
  }
}

/** One kernel's table: its layout, a reusable buffer and the memos of its costly scalars. */
export class ScalarTable {
  readonly layout: ScalarLayout;
  private buf = new Float64Array(64);
  private readonly memos: (Memo | null)[];
  /** Per scalar: the row field of its `when` flag, or -1. */
  private readonly flagOf: number[];
  /** State buffers and extras the segments need, with the row field of their `when` flag or -1. */
  private readonly states: { readonly key: string; readonly flag: number }[];
  private readonly extras: { readonly key: string; readonly flag: number }[];

  /** `label` prefixes error messages (for example "js backend: Adam"). */
  constructor(
    private readonly label: string,
    private readonly desc: KernelScalars,
  ) {
    this.layout = scalarLayout(desc);
    const flags = new Map<string, number>();
    this.flagOf = desc.scalars.map((s, i) => {
      const f = s.when === undefined ? -1 : flags.get(s.when);
      if (f === undefined)
        throw new TypeError(`kernel scalars: ${s.name} is used when ${s.when}, which is not an earlier flag`);
      if (s.role === "flag") flags.set(s.name, HEADER + i);
      return f;
    });
    const need = (n: KernelNeed): { key: string; flag: number } => {
      const flag = n.when === undefined ? -1 : flags.get(n.when);
      if (flag === undefined)
        throw new TypeError(`kernel scalars: ${n.key} is needed when ${n.when}, which is not a flag`);
      return { key: n.key, flag };
    };
    this.states = desc.states.map(need);
    this.extras = (desc.extras ?? []).map(need);
    this.memos = desc.scalars.map((s) => (s.memo === undefined ? null : new Memo(s)));
  }

  /**
   * Validates every segment and fills one row per segment; the returned array is reused by the
   * next call (read it before packing again). `state` holds the buffers present, by key; `limit`
   * is the shortest buffer length.
   */
  pack(
    dtype: Dtype,
    segments: readonly Segment[],
    limit: number,
    state: Readonly<Record<string, unknown>>,
  ): Float64Array {
    const { stride } = this.layout;
    const scalars = this.desc.scalars;
    if (this.buf.length < segments.length * stride)
      this.buf = new Float64Array(Math.max(segments.length * stride, 2 * this.buf.length));
    const row = this.buf;
    for (let k = 0; k < segments.length; k++) {
      const seg = segments[k]!;
      const o = k * stride;
      checkSegmentBounds(this.label, seg.offset, seg.length, limit);
      const refusal = this.desc.refuse?.(seg.hp, dtype) ?? null;
      if (refusal !== null) throw new RangeError(`${this.label}: ${refusal}`);
      row[o + SEG_OFFSET] = seg.offset;
      row[o + SEG_LENGTH] = seg.length;
      // Flags first: they decide which buffers, extras and scalars the segment needs.
      for (let i = 0; i < scalars.length; i++)
        if (scalars[i]!.role === "flag") row[o + HEADER + i] = scalars[i]!.value(seg.hp, seg.t, seg.extras);
      for (const n of this.states) {
        if (state[n.key] === undefined && (n.flag < 0 || row[o + n.flag] === 1))
          throw new TypeError(`${this.label}: state buffer ${JSON.stringify(n.key)} is missing`);
      }
      for (const n of this.extras) {
        if (seg.extras[n.key] === undefined && (n.flag < 0 || row[o + n.flag] === 1))
          throw new TypeError(`${this.label}: the segment needs extras.${n.key}`);
      }
      let spec = 0;
      for (let i = 0; i < scalars.length; i++) {
        const s = scalars[i]!;
        if (s.role === "flag") continue;
        const f = this.flagOf[i]!;
        if (f >= 0 && row[o + f] !== 1) {
          row[o + HEADER + i] = 0;
          continue;
        }
        const memo = this.memos[i]!;
        const v = memo === null ? s.value(seg.hp, seg.t, seg.extras) : memo.get(seg.hp, seg.t, seg.extras);
        row[o + HEADER + i] = v;
        if (s.role === "python" && widensDtype(dtype, v)) spec = 1;
      }
      row[o + SEG_SPEC] = spec;
    }
    return row;
  }
}
