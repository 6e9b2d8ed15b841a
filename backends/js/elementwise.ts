/**
 * Fill and divide over many spans, for resident runs (`Elementwise` in the contract).
 *
 * - `fill`: `x ← value` (a value of the dtype);
 * - `divide`: `x ← x / D(divisor)` (`rule.update.unscale`); a finite divisor beyond float32's range
 *   divides a float32 array in float64 and rounds once (numpy 1.x value-based casting).
 */
import type { Elementwise, Span } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { type JsBuffer, asF32, asF64, checkSegment, isFloat32, wideForF32 } from "./memory.js";

function checkSpans(spans: readonly Span[], limit: number): void {
  for (let k = 0; k < spans.length; k++) checkSegment(spans[k]!.offset, spans[k]!.length, limit);
}

function divide32(x: Float32Array, spans: readonly Span[], d: number): void {
  const wide = wideForF32(d);
  const dD = Math.fround(d);
  for (let k = 0; k < spans.length; k++) {
    const { offset, length } = spans[k]!;
    const end = offset + length;
    if (wide) for (let i = offset; i < end; i++) x[i] = Math.fround(x[i]! / d);
    else for (let i = offset; i < end; i++) x[i] = Math.fround(x[i]! / dD);
  }
}

function divide64(x: Float64Array, spans: readonly Span[], d: number): void {
  for (let k = 0; k < spans.length; k++) {
    const { offset, length } = spans[k]!;
    const end = offset + length;
    for (let i = offset; i < end; i++) x[i] = x[i]! / d;
  }
}

export const jsElementwise: Elementwise<JsBuffer> = {
  fill(dtype: Dtype, buf: JsBuffer, spans: readonly Span[], value: number): void {
    const x = isFloat32(dtype, "fill") ? asF32(buf, "buffer") : asF64(buf, "buffer");
    checkSpans(spans, x.length);
    for (let k = 0; k < spans.length; k++) x.fill(value, spans[k]!.offset, spans[k]!.offset + spans[k]!.length);
  },
  divide(dtype: Dtype, buf: JsBuffer, spans: readonly Span[], divisor: number): void {
    if (isFloat32(dtype, "divide")) {
      const x = asF32(buf, "buffer");
      checkSpans(spans, x.length);
      divide32(x, spans, divisor);
    } else {
      const x = asF64(buf, "buffer");
      checkSpans(spans, x.length);
      divide64(x, spans, divisor);
    }
  },
};
