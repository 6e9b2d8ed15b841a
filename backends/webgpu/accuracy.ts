/**
 * The accuracy of WGSL's float32 arithmetic, as the WGSL specification states it (W3C WGSL,
 * §15.7 "Floating Point Evaluation"; the accuracy table is §15.7.4.1 "Accuracy of Concrete
 * Floating Point Expressions", f32 column). This is all the WebGPU backend promises: the
 * conformance kit derives each output's acceptance interval from it and the spec's formula.
 *
 * | operation            | WGSL f32 accuracy                                          | section    |
 * |----------------------|------------------------------------------------------------|------------|
 * | `x + y`, `x - y`     | correctly rounded (the exact value, or either neighbour)   | §15.7.4.1  |
 * | `x * y` (and `x*x`)  | correctly rounded                                          | §15.7.4.1  |
 * | `x / y`              | 2.5 ULP for `|y|` in [2^-126, 2^126]; nothing outside      | §15.7.4.1  |
 * | `sqrt(x)`            | inherited from `1.0 / inverseSqrt(x)`; inverseSqrt: 2 ULP  | §15.7.4.1  |
 * | `min`, `max`, select | correctly rounded (exact); either input if both subnormal  | §15.7.4.1  |
 * | `a * b + c`          | may be fused into one rounding ("may fuse operations")     | §15.7.3    |
 * | subnormals           | may be flushed to zero, on input and on output             | §15.7.2    |
 * | NaN and infinities   | finite math assumption: results unspecified                | §15.7.1    |
 *
 * Reassociation (§15.7.3 also allows it) is not covered: the kernels parenthesize every
 * expression in the spec's order and Dawn's compiler does not reassociate float arithmetic.
 * The kernels' own `np_max`/`np_min`/`np_sign` are comparisons and selects, hence exact.
 */
import type { ArithmeticPromise } from "../contract.js";

const TABLE = "WGSL §15.7.4.1 (accuracy of concrete floating point expressions, f32)";

export const WGSL_F32_ARITHMETIC: ArithmeticPromise = {
  dtype: "float32",
  ops: {
    add: { kind: "correctly-rounded", source: TABLE },
    sub: { kind: "correctly-rounded", source: TABLE },
    mul: { kind: "correctly-rounded", source: TABLE },
    square: { kind: "correctly-rounded", source: `${TABLE}: x * x` },
    div: {
      kind: "ulp",
      ulp: 2.5,
      domain: { operand: 1, min: 2 ** -126, max: 2 ** 126 },
      source: `${TABLE}: 2.5 ULP for |y| in [2^-126, 2^126]`,
    },
    sqrt: {
      kind: "inherited",
      expression: "1.0 / inverseSqrt(x)",
      via: [
        { step: "inverseSqrt", ulp: 2 },
        { step: "reciprocal", ulp: 2.5 },
      ],
      source: `${TABLE}: sqrt inherited from 1.0 / inverseSqrt(x); inverseSqrt 2 ULP; x / y 2.5 ULP`,
    },
    maximum: { kind: "exact", source: `${TABLE}: max correctly rounded (a comparison and select here)` },
    minimum: { kind: "exact", source: `${TABLE}: min correctly rounded (a comparison and select here)` },
    clip: { kind: "exact", source: `${TABLE}: comparisons "correct result"` },
    sign: { kind: "exact", source: `${TABLE}: comparisons "correct result"` },
    assign: { kind: "exact", source: "a float32 store of a float32 value" },
    astype: { kind: "exact", source: "float32 to float32" },
  },
  fusedMultiplyAdd: {
    allowed: true,
    source: "WGSL §15.7.3 (floating point rewriting): an implementation may fuse operations",
  },
  flushSubnormals: {
    allowed: true,
    source: "WGSL §15.7.2 (floating point flushing): subnormal inputs and results may be flushed to zero",
  },
  nonFinite: {
    promised: false,
    source: "WGSL §15.7.1 (finite math assumption): NaN and infinity results are unspecified",
  },
};
