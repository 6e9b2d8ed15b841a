/**
 * Packs a call's segments into rows (`[offset, length, spec, scalars…]`, `ROW_F64` float64 slots each),
 * validating every segment before anything is written, then runs the Wasm export over the rows,
 * and leaves wide segments to the caller (the exact JS path).
 *
 * Rows go straight into the reserved table in linear memory when the call fits (the table is not
 * a user buffer, so filling it before validation ends writes nothing the caller can see); larger
 * calls are packed into a scratch array and run in chunks. A segment with the same scalar inputs
 * (by identity) as the one before it copies that row's scalars instead of recomputing them: the
 * segments of one model usually share one hyperparameter object, `t` and extras.
 */
import { ROW_F64, ROW_SCALARS, TABLE_ROWS, type WasmHeap, checkRange } from "./memory.js";

export class RowScratch {
  private buf = new Float64Array(0);
  private flags = new Uint8Array(64);
  private sames = new Uint8Array(64);
  /** Per segment: 1 when its scalars equal the previous segment's (filled by the caller). */
  same(n: number): Uint8Array {
    if (this.sames.length < n) this.sames = new Uint8Array(Math.max(n, 2 * this.sames.length));
    return this.sames;
  }
  rows(n: number): Float64Array {
    if (this.buf.length < n * ROW_F64)
      this.buf = new Float64Array(Math.max(n, 2 * (this.buf.length / ROW_F64)) * ROW_F64);
    return this.buf;
  }
  wide(n: number): Uint8Array {
    if (this.flags.length < n) this.flags = new Uint8Array(Math.max(n, 2 * this.flags.length));
    return this.flags;
  }
}

export interface Packed {
  readonly rows: Float64Array;
  /** Whether `rows` is the table in linear memory itself. */
  readonly direct: boolean;
  readonly wide: Uint8Array;
  readonly count: number;
  readonly wideCount: number;
}

/**
 * Fills one row per segment: bounds checked against `limit`; slots 2… (the spec flag, then the
 * scalars) by `fill(seg, rows, o + 2)`, which returns whether the segment is left to the host's
 * exact path, unless `same[k]` marks the segment as having the previous one's scalars. Throws
 * before any buffer is touched.
 */
export function pack<S extends { readonly offset: number; readonly length: number }>(
  heap: WasmHeap,
  scratch: RowScratch,
  segments: readonly S[],
  limit: number,
  fill: (seg: S, rows: Float64Array, o: number) => boolean,
  same: Uint8Array,
): Packed {
  const count = segments.length;
  const direct = count <= TABLE_ROWS;
  const rows = direct ? heap.tableView() : scratch.rows(count);
  const wide = scratch.wide(count);
  let wideCount = 0;
  for (let k = 0; k < count; k++) {
    const seg = segments[k]!;
    checkRange(seg.offset, seg.length, limit);
    const o = k * ROW_F64;
    rows[o] = seg.offset;
    rows[o + 1] = seg.length;
    let w: boolean;
    if (k > 0 && same[k] === 1) {
      for (let j = 2; j < 2 + ROW_SCALARS; j++) rows[o + j] = rows[o - ROW_F64 + j]!;
      w = wide[k - 1] === 1;
    } else w = fill(seg, rows, o + 2);
    wide[k] = w ? 1 : 0;
    if (w) wideCount++;
  }
  return { rows, direct, wide, count, wideCount };
}

/** Runs `call(table, n)` over the non-wide rows, at most `TABLE_ROWS` rows per Wasm call. */
export function runRows(heap: WasmHeap, packed: Packed, call: (table: number, count: number) => void): void {
  if (packed.direct) {
    let r = packed.count;
    if (packed.wideCount > 0) {
      r = 0;
      for (let k = 0; k < packed.count; k++) {
        if (packed.wide[k] === 1) continue;
        if (r !== k) packed.rows.copyWithin(r * ROW_F64, k * ROW_F64, (k + 1) * ROW_F64);
        r++;
      }
    }
    if (r > 0) call(heap.table, r);
    return;
  }
  const table = heap.tableView();
  let r = 0;
  for (let k = 0; k < packed.count; k++) {
    if (packed.wide[k] === 1) continue;
    table.set(packed.rows.subarray(k * ROW_F64, (k + 1) * ROW_F64), r * ROW_F64);
    if (++r === TABLE_ROWS) {
      call(heap.table, r);
      r = 0;
    }
  }
  if (r > 0) call(heap.table, r);
}
