/**
 * The segment table the host writes into linear memory before each kernel call: one row of
 * `ROW_F64` float64 slots per segment, `[offset, length, s0, s1, …]` (offset and length in elements,
 * scalars as the spec computed them in float64). Kernels round each scalar to their dtype once.
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

/** Scalar slot `i` (0-based after offset and length), still float64. */
@inline export function scalar(row: usize, i: i32): f64 {
  return load<f64>(row + 16 + (<usize>i << 3));
}

/** Number of T lanes in a v128. */
@inline export function lanes<T>(): i32 {
  return <i32>(16 / sizeof<T>());
}
