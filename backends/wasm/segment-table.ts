/**
 * Packs a call's segments into rows (`[offset, length, scalars…]`, `ROW_F64` float64 slots each),
 * validating every segment before anything is written, then runs the Wasm export over the rows in
 * chunks of the reserved table, and hands wide segments to the exact JS path.
 */
import { ROW_F64, TABLE_ROWS, type WasmHeap, checkRange } from "./memory.js";

export class RowScratch {
  private buf = new Float64Array(ROW_F64 * 64);
  private flags = new Uint8Array(64);
  need(rows: number): { rows: Float64Array; wide: Uint8Array } {
    if (this.flags.length < rows) {
      const n = Math.max(rows, 2 * this.flags.length);
      this.buf = new Float64Array(n * ROW_F64);
      this.flags = new Uint8Array(n);
    }
    return { rows: this.buf, wide: this.flags };
  }
}

export interface Packed {
  readonly rows: Float64Array;
  readonly wide: Uint8Array;
  readonly count: number;
  readonly wideCount: number;
}

/**
 * Fills one row per segment: bounds checked against `limit`, scalars by `fill` (which returns
 * whether the segment is wide). Throws before any buffer is touched.
 */
export function pack<S extends { readonly offset: number; readonly length: number }>(
  scratch: RowScratch,
  segments: readonly S[],
  limit: number,
  fill: (seg: S, rows: Float64Array, o: number) => boolean,
): Packed {
  const { rows, wide } = scratch.need(segments.length);
  let wideCount = 0;
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    checkRange(seg.offset, seg.length, limit);
    const o = k * ROW_F64;
    rows[o] = seg.offset;
    rows[o + 1] = seg.length;
    const w = fill(seg, rows, o + 2);
    wide[k] = w ? 1 : 0;
    if (w) wideCount++;
  }
  return { rows, wide, count: segments.length, wideCount };
}

/** Runs `call(table, n)` over the non-wide rows, at most `TABLE_ROWS` rows per Wasm call. */
export function runRows(heap: WasmHeap, packed: Packed, call: (table: number, count: number) => void): void {
  const table = heap.tableView();
  if (packed.wideCount === 0) {
    for (let start = 0; start < packed.count; start += TABLE_ROWS) {
      const n = Math.min(TABLE_ROWS, packed.count - start);
      table.set(packed.rows.subarray(start * ROW_F64, (start + n) * ROW_F64));
      call(heap.table, n);
    }
    return;
  }
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
