/**
 * The three reductions.
 *
 * `sumSquares` stays scalar and sequential on purpose: `numerics.dot.sequential` accumulates
 * x[0]², x[1]², … into one accumulator rounded to T after every product and sum, and any lane-wise
 * (tree or strided) summation rounds differently, so vectorising it would give up exactness.
 * `allFinite` and `scale` are order-free and use the lanes.
 */
import { lanes } from "./table";

@inline export function sumSquares<T>(x: usize, n: i32): f64 {
  let acc: T = 0;
  for (let i = 0; i < n; i++) {
    const v = load<T>(x + (<usize>i * sizeof<T>()));
    acc = acc + v * v;
  }
  return <f64>acc;
}

/** No NaN and no ±Inf: `x − x` is nonzero (NaN) exactly for those. */
@inline export function allFinite<T>(x: usize, n: i32): bool {
  const vzero = v128.splat<T>(<T>0);
  const nv = n & ~(lanes<T>() - 1);
  let i = 0;
  for (; i < nv; i += lanes<T>()) {
    const v = v128.load(x + (<usize>i * sizeof<T>()));
    if (v128.any_true(v128.ne<T>(v128.sub<T>(v, v), vzero))) return false;
  }
  for (; i < n; i++) {
    const v = load<T>(x + (<usize>i * sizeof<T>()));
    if (v - v != <T>0) return false;
  }
  return true;
}

/** `x ← x·D(rate)` (GradientClipping's rescale). */
@inline export function scale<T>(x: usize, n: i32, rate: f64): void {
  const r = <T>rate;
  const vr = v128.splat<T>(r);
  const nv = n & ~(lanes<T>() - 1);
  let i = 0;
  for (; i < nv; i += lanes<T>()) {
    const o = <usize>i * sizeof<T>();
    v128.store(x + o, v128.mul<T>(v128.load(x + o), vr));
  }
  for (; i < n; i++) {
    const o = <usize>i * sizeof<T>();
    store<T>(x + o, load<T>(x + o) * r);
  }
}
