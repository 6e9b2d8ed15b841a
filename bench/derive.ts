/**
 * From raw timings to the figures every row carries: elements/s, GB/s from bench/bytes.ts, the
 * fraction of the triad roofline at the same dtype and element count, and our time over each
 * peer's time for the same work (same optimizer, dtype, elements and tensors).
 */
import type { Case } from "./case.js";
import { type BenchRow, type Measurement, rowId, shapeLabel } from "./result.js";

export interface RawRow extends Measurement {
  readonly case: Omit<Case, "prepare">;
  readonly afterDetach: boolean;
}

const key = (dtype: string, elements: number): string => `${dtype}/${elements}`;

export function derive(raw: readonly RawRow[]): BenchRow[] {
  return link(raw.map(baseRow));
}

type BaseRow = Omit<BenchRow, "rooflineGBps" | "rooflineFraction" | "peerTimeRatio" | "rawCallsRatio">;

function baseRow(r: RawRow): BaseRow {
  const c = r.case;
  const elementsPerSec = r.opsPerSec * c.elements;
  const shape = shapeLabel(c.elements, c.tensors);
  return {
    id: rowId(c.via, c.backend, c.variant, c.dtype, shape),
    via: c.via,
    backend: c.backend,
    kernel: c.kernel,
    variant: c.variant,
    category: c.category,
    dtype: c.dtype,
    elements: c.elements,
    tensors: c.tensors,
    shape,
    opsPerSec: r.opsPerSec,
    rmePct: r.rmePct,
    samples: r.samples,
    meanMs: r.meanMs,
    warmupCalls: r.warmupCalls,
    elementsPerSec,
    bytesPerElement: c.bytesPerElement,
    gbps: (c.bytesPerElement * elementsPerSec) / 1e9,
    afterDetach: r.afterDetach,
    ...(c.note !== undefined ? { note: c.note } : {}),
  };
}

/** A row with a new ops/s: every figure that follows from it, recomputed (roofline and peers by `link`). */
export function withOpsPerSec<R extends BaseRow>(r: R, opsPerSec: number): R {
  const elementsPerSec = opsPerSec * r.elements;
  return { ...r, opsPerSec, meanMs: 1e3 / opsPerSec, elementsPerSec, gbps: (r.bytesPerElement * elementsPerSec) / 1e9 };
}

/** Roofline fraction, peer time ratios and state-machine over raw-calls ratios, from the rows of the same run. */
export function link(base: readonly BaseRow[]): BenchRow[] {
  const roof = new Map<string, number>();
  for (const r of base) if (r.via === "roofline") roof.set(key(r.dtype, r.elements), r.gbps);
  return base.map((r) => {
    const rooflineGBps = roof.get(key(r.dtype, r.elements)) ?? null;
    const peerTimeRatio: Record<string, number> = {};
    if (r.via !== "peer" && r.via !== "roofline") {
      for (const p of base) {
        if (
          p.via === "peer" &&
          p.variant === r.variant &&
          p.dtype === r.dtype &&
          p.elements === r.elements &&
          p.tensors === r.tensors
        ) {
          peerTimeRatio[p.backend] = p.opsPerSec / r.opsPerSec;
        }
      }
    }
    const raw =
      r.via === "state-machine"
        ? base.find(
            (p) =>
              p.via === "raw-calls" &&
              p.backend === r.backend &&
              p.variant === r.variant &&
              p.dtype === r.dtype &&
              p.shape === r.shape,
          )
        : undefined;
    return {
      ...r,
      rooflineGBps,
      rooflineFraction: rooflineGBps === null ? null : r.gbps / rooflineGBps,
      peerTimeRatio,
      ...(raw !== undefined ? { rawCallsRatio: raw.opsPerSec / r.opsPerSec } : {}),
    };
  });
}
