/**
 * The segment table the host writes into linear memory before each kernel call: one row of
 * `ROW_F64` float64 slots per segment, `[offset, length, spec, s0, s1, …]`: the shared kernel-scalar
 * row (`backends/kernel-scalars.ts`) at a fixed stride. Offset and length are in elements; `spec`
 * (a segment the host runs itself) is never read here; the scalars, in the optimizer's declared
 * order, are Python floats in float64 or 0/1 flags. Kernels round each scalar to their dtype once.
 */
export const ROW_F64: i32 = 16;
export const ROW_BYTES: usize = <usize>ROW_F64 << 3;

@inline export function rowAt(tab: usize, k: i32): usize {
  return tab + <usize>k * ROW_BYTES;
}

/** Byte offset of the segment's first element in a buffer of element type T. */
@inline export function rowByteOffset<T>(row: usize): usize {
  return <usize>load<f64>(row) * sizeof<T>();
}

@inline export function rowLength(row: usize): i32 {
  return <i32>load<f64>(row, 8);
}

/** Scalar slot `i` (0-based after offset, length and spec), still float64. */
@inline export function scalar(row: usize, i: i32): f64 {
  return load<f64>(row + 24 + (<usize>i << 3));
}

/** Number of T lanes in a v128. */
@inline export function lanes<T>(): i32 {
  return <i32>(16 / sizeof<T>());
}
