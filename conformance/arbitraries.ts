/**
 * fast-check arbitraries for the conformance battery: arrays with special values, hyperparameters
 * across their valid ranges, states and rule counters. Any optimizer in the registry gets these.
 */
import fc from "fast-check";
import {
  type Dtype,
  type NDArray,
  type OptimizerDef,
  type UpdateCall,
  type HyperValue,
  type Hyperparams,
  roundTo,
  maxFinite,
} from "../spec/index.js";

/** Lengths that exercise empty, single, and SIMD tails (non-multiples of 4 and 16). */
export const lengthArb = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 15, 16, 17, 31, 33),
  fc.integer({ min: 0, max: 70 }),
);

function specials(dtype: Dtype): number[] {
  const sub = dtype === "float16" ? 5.96e-8 : dtype === "float32" ? 1.401298464324817e-45 : 5e-324;
  const tiny = dtype === "float16" ? 6.1e-5 : dtype === "float32" ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
  const big = maxFinite(dtype);
  return [0, -0, sub, -sub, tiny, big, -big, big / 3, Infinity, -Infinity, NaN, 1, -1];
}

/** One element: mostly ordinary magnitudes, sometimes special values. */
export function valueArb(dtype: Dtype, opts: { nonNegative?: boolean; finite?: boolean } = {}): fc.Arbitrary<number> {
  const sp = specials(dtype).filter(
    (x) =>
      (!opts.finite || Number.isFinite(x)) &&
      (!opts.nonNegative || x >= 0 || (Number.isNaN(x) === false && Object.is(x, 0))),
  );
  const ordinary = fc.double({ min: -4, max: 4, noNaN: true });
  const wide = fc.double({ noNaN: true, min: -1e6, max: 1e6 });
  return fc
    .oneof(
      { weight: 6, arbitrary: ordinary },
      { weight: 2, arbitrary: wide },
      { weight: 2, arbitrary: fc.constantFrom(...sp) },
    )
    .map((x) => roundTo(dtype, opts.nonNegative ? Math.abs(x) : x));
}

export function arrayArb(
  dtype: Dtype,
  length: number,
  opts: { nonNegative?: boolean; finite?: boolean } = {},
): fc.Arbitrary<NDArray> {
  return fc
    .array(valueArb(dtype, opts), { minLength: length, maxLength: length })
    .map((v) => ({ dtype, shape: [length], data: Float64Array.from(v) }));
}

/** A hyperparameter value around its default, within the range an optimizer accepts. */
function hyperArb(name: string, def: HyperValue, type: string): fc.Arbitrary<HyperValue> {
  if (type === "bool") return fc.boolean();
  if (typeof def !== "number") return fc.constant(def);
  if (/^(beta|beta1|beta2|momentum|rho|alpha)$/.test(name) && def > 0 && def < 1) {
    return fc.oneof(fc.constant(def), fc.double({ min: 0, max: 0.9999, noNaN: true }));
  }
  if (name === "weight_decay_rate") return fc.oneof(fc.constant(def), fc.constantFrom(0.01, 0.1, 0.5));
  if (name === "eps") return fc.oneof(fc.constant(def), fc.constantFrom(1e-6, 1e-4, 0.1, 0));
  if (def === 0) return fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }));
  return fc.oneof(
    fc.constant(def),
    fc.integer({ min: -6, max: 6 }).map((k) => def * 2 ** k),
  );
}

export function hyperparamsArb(def: OptimizerDef): fc.Arbitrary<Hyperparams> {
  const rec: Record<string, fc.Arbitrary<HyperValue>> = {};
  for (const h of def.hyperparams)
    rec[h.name] =
      def.fixed && h.name in def.fixed
        ? fc.constant(def.fixed[h.name] as HyperValue)
        : hyperArb(h.name, h.default, h.type);
  return fc.record(rec);
}

export interface KernelCase {
  readonly dtype: Dtype;
  readonly param: NDArray;
  readonly grad: NDArray;
  readonly state: Record<string, NDArray>;
  readonly hp: Hyperparams;
  readonly t: number;
  readonly extras: Record<string, number>;
}

/** A kernel case as the spec's update call for a parameter at `/p`. */
export function kernelCaseCall(c: KernelCase): UpdateCall {
  return { path: "/p", param: c.param, grad: c.grad, state: c.state, hp: c.hp, t: c.t, extras: c.extras };
}

/** Smallest binary exponent whose powers of two stay normal in the dtype (used to reach subnormal results). */
function minNormalExponent(dtype: Dtype): number {
  return dtype === "float16" ? -14 : dtype === "float32" ? -126 : -1022;
}

/**
 * How an array's magnitude is scaled: mostly not at all; often by 2^-1…2^-12, so that a parameter is
 * comparable to its update (`lr·g`), `sqrt(v)` to `eps`, and results land where rounding twice
 * (float16 through float32) differs from rounding once; sometimes down to the smallest normal, so
 * that results are subnormal.
 */
function scaleArb(dtype: Dtype): fc.Arbitrary<number> {
  const low = minNormalExponent(dtype);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: -12, max: -1 }) },
    { weight: 1, arbitrary: fc.integer({ min: low, max: low + 4 }) },
  );
}

function scaled(a: NDArray, exponent: number): NDArray {
  if (exponent === 0) return a;
  const f = 2 ** exponent;
  return { ...a, data: a.data.map((x) => roundTo(a.dtype, x * f)) };
}

/** A random single-parameter update of an optimizer: parameter, gradient, state, hp, t, extras. */
export function kernelCaseArb(def: OptimizerDef, dtype: Dtype): fc.Arbitrary<KernelCase> {
  return fc
    .record({
      n: lengthArb,
      hp: hyperparamsArb(def),
      t: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100000 })),
      k: fc.integer({ min: 0, max: 50 }),
    })
    .chain(({ n, hp, t, k }) => {
      const proto: NDArray = { dtype, shape: [n], data: new Float64Array(n) };
      const keys = Object.keys(def.initState(proto, hp));
      const stateArb: Record<string, fc.Arbitrary<NDArray>> = {};
      for (const key of keys) {
        const nonNegative = /^(v|vhat|h|ms|msg|msdx|n|g2|mem)$/.test(key);
        // Second moments scale by a square, so that sqrt(v) meets eps.
        stateArb[key] = fc
          .tuple(arrayArb(dtype, n, { nonNegative }), scaleArb(dtype))
          .map(([a, e]) => scaled(a, nonNegative ? 2 * e : e));
      }
      const extras = def.ruleExtras ? def.ruleExtras(hp) : {};
      if ("beta_power" in extras) extras["beta_power"] = (extras["beta_power"] as number) ** (k + 1);
      return fc
        .record({
          param: fc.tuple(arrayArb(dtype, n), scaleArb(dtype)).map(([a, e]) => scaled(a, e)),
          grad: arrayArb(dtype, n),
          state: fc.record(stateArb),
        })
        .map((r) => ({ dtype, hp, t, extras, ...r }));
    });
}
