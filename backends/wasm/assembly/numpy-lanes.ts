/**
 * numpy's NaN rules for maximum/minimum, as lane masks and as scalars. Wasm's own `f32x4.max`
 * orders -0 below +0, while numpy returns the first operand on ties, so these compare and select:
 *
 * - maximum(a, b): a if a is NaN, else b if b is NaN, else (a >= b ? a : b);
 * - minimum(a, b): a if a is NaN, else b if b is NaN, else (a <= b ? a : b).
 */
@inline export function vmaximum<T>(a: v128, b: v128): v128 {
  return v128.bitselect(a, b, v128.or(v128.ge<T>(a, b), v128.ne<T>(a, a)));
}

@inline export function vminimum<T>(a: v128, b: v128): v128 {
  return v128.bitselect(a, b, v128.or(v128.le<T>(a, b), v128.ne<T>(a, a)));
}

@inline export function smaximum<T>(a: T, b: T): T {
  return a != a ? a : b != b ? b : a >= b ? a : b;
}

@inline export function sminimum<T>(a: T, b: T): T {
  return a != a ? a : b != b ? b : a <= b ? a : b;
}
