/**
 * Fill and divide over many spans for resident runs (`Elementwise`), one dispatch each:
 * - `fill`: `x ← value` (a float32 value, stored as its bits);
 * - `divide`: `x ← x / D(divisor)` (`rule.update.unscale`) with WGSL's division (its accuracy is
 *   in `accuracy.ts`); a finite divisor beyond float32's range makes numpy divide in float64, so
 *   those spans go through the JS backend on host copies.
 */
import { type Elementwise, type Span, syncResult } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { jsElementwise } from "../js/elementwise.js";
import { wideForF32 } from "../js/memory.js";
import { type WebgpuBuffer, asGpuBuffer, checkRange, serialOn, settled } from "./memory.js";
import { type KernelSource, dispatch } from "./pipeline.js";
import { requireFloat32 } from "./optimizers.js";
import { readSlices, writeSlices } from "./host.js";

const FILL: KernelSource = { name: "fill", arrays: ["x"], scalars: ["value"], flags: [], body: `    x[i] = value;` };
const DIVIDE: KernelSource = { name: "divide", arrays: ["x"], scalars: ["d"], flags: [], body: `    x[i] = x[i] / d;` };

function prepare(dtype: Dtype, buf: unknown, spans: readonly Span[], what: string): WebgpuBuffer {
  requireFloat32(dtype, what);
  const b = asGpuBuffer(buf, "buffer");
  for (const s of spans) checkRange(s.offset, s.length, b.length);
  return b;
}

export const webgpuElementwise: Elementwise<WebgpuBuffer> = {
  fill: (dtype, buf, spans, value) =>
    serialOn(buf, async () => {
      const b = prepare(dtype, buf, spans, "fill");
      await settled([b]);
      await dispatch(
        b.ctx,
        FILL,
        [b],
        spans.map((s) => ({ offset: s.offset, length: s.length, scalars: [Math.fround(value)], flags: [] })),
      );
    }),
  divide: (dtype, buf, spans, divisor) =>
    serialOn(buf, async () => {
      const b = prepare(dtype, buf, spans, "divide");
      await settled([b]);
      if (wideForF32(divisor)) {
        const s = await readSlices([b], spans);
        syncResult(
          jsElementwise.divide(
            dtype,
            s.arrays[0]!,
            spans.map((sp, j) => ({ offset: s.offsets[j]!, length: sp.length })),
            divisor,
          ),
          "divide",
        );
        await writeSlices([b], s, spans);
        return;
      }
      await dispatch(
        b.ctx,
        DIVIDE,
        [b],
        spans.map((s) => ({ offset: s.offset, length: s.length, scalars: [Math.fround(divisor)], flags: [] })),
      );
    }),
};
