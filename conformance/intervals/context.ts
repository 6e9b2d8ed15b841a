/**
 * Interval evaluation of the spec's own formulas (`numerics.context`): every elementwise operation
 * of an optimizer or hook update is replaced by its interval extension, widened by the accuracy a
 * backend declares for that operation (`ArithmeticPromise`), so each output element gets the set of
 * values that such arithmetic may produce from the same inputs. The arrays the formula sees keep
 * numpy's exact values (so the spec's result is unchanged); the intervals ride beside them.
 *
 * - correctly rounded (`+ − ×`): exact interval bounds, rounded outward to the dtype. Outward
 *   rounding already contains every unrounded intermediate, so a fused `a·b + c` (one rounding) is
 *   inside by construction.
 * - ULP-bounded (`/`): the exact bounds, widened by k ULP; a divisor outside the declared domain is
 *   outside the promise.
 * - inherited (`sqrt` = `1 / inverseSqrt(x)`): the steps in order, each widened by its ULPs.
 * - flushed subnormals: an operand or result that may be subnormal also admits zero.
 * - NaN, infinities, overflow, and operations with no declared accuracy: outside the promise (the
 *   element is reported as such, never as passed).
 */
import type { ArithmeticPromise, OperationAccuracy } from "../../backends/contract.js";
import { type NDArray, type NumericsContext, type OpRequest, withNumerics, np } from "../../spec/index.js";
import type { Operand } from "../../spec/numerics/operand.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import { operandReader } from "../../spec/numerics/np.js";
import { astype } from "../../spec/ndarray.js";
import {
  MIN_NORMAL32,
  down,
  productLower,
  productUpper,
  quotientLower,
  quotientUpper,
  sumLower,
  sumUpper,
  up,
  widenDown32,
  widenUp32,
} from "./rounding.js";

/** Per-element bounds of an array, and which elements lie outside the backend's promise. */
export interface Interval {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** 1 where the promise says nothing (NaN, infinity, overflow, a divisor outside the domain). */
  readonly outside: Uint8Array;
  /** 1 where flushing a subnormal (an input, an intermediate or the result) widened the interval. */
  readonly flushed?: Uint8Array;
}

/** Bounds of one operand at element i: [lo, hi, outside, widened by flushing]. */
type Bounds = (i: number) => readonly [number, number, boolean, boolean?];

const DECLINE: NumericsContext = { op: () => undefined };

const IEEE: OperationAccuracy = { kind: "correctly-rounded", source: "IEEE 754 in the operation's dtype" };

export interface IntervalEvaluation {
  readonly ctx: NumericsContext;
  /** The interval of an array the formula produced (a point interval for one it passed through). */
  intervalOf(a: NDArray): Interval;
}

export function intervalNumerics(promise: ArithmeticPromise): IntervalEvaluation {
  const table = new WeakMap<NDArray, Interval>();
  const ftz = promise.flushSubnormals.allowed;

  function pointOf(a: NDArray): Interval {
    const n = a.data.length;
    const lo = Float64Array.from(a.data);
    const outside = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (!Number.isFinite(lo[i]!)) outside[i] = 1;
    return { lo, hi: Float64Array.from(a.data), outside };
  }

  function intervalOf(a: NDArray): Interval {
    return table.get(a) ?? pointOf(a);
  }

  /** An operand's bounds in the operation's dtype, with flushing applied to its inputs. */
  function boundsOf(o: Operand | null, dtype: Dtype): Bounds | null {
    if (o === null) return null;
    let raw: Bounds;
    if (typeof o === "object" && "data" in o && table.has(o)) {
      const iv = table.get(o)!;
      const scalar = o.shape.length === 0;
      raw = (i) => {
        const j = scalar ? 0 : i;
        return [iv.lo[j]!, iv.hi[j]!, iv.outside[j] === 1, iv.flushed?.[j] === 1];
      };
    } else {
      const read = operandReader(o, dtype);
      raw = (i) => {
        const v = read(i);
        return [v, v, !Number.isFinite(v)];
      };
    }
    if (!ftz) return raw;
    return (i) => {
      const [l, h, out, fl] = raw(i);
      const sub = mayBeSubnormal(l, h);
      return [sub ? Math.min(l, 0) : l, sub ? Math.max(h, 0) : h, out, fl === true || sub];
    };
  }

  function mayBeSubnormal(l: number, h: number): boolean {
    return l < MIN_NORMAL32 && h > -MIN_NORMAL32 && !(l === 0 && h === 0);
  }

  const accuracy = (op: string): OperationAccuracy | undefined => promise.ops[op];

  /** Outward rounding of exact float64 bounds to the dtype, by the op's declared accuracy. */
  function round(dtype: Dtype, acc: OperationAccuracy, lo: number, hi: number): [number, number] {
    if (dtype === promise.dtype && acc.kind === "ulp") return [widenDown32(lo, acc.ulp), widenUp32(hi, acc.ulp)];
    if (acc.kind === "exact" && dtype === promise.dtype) return [lo, hi];
    return [down(dtype, lo), up(dtype, hi)];
  }

  function elementwise(
    req: OpRequest,
    f: (b: (readonly [number, number, boolean, boolean?] | null)[]) => [number, number, boolean],
  ): Interval {
    const operands = req.operands.map((o) => boundsOf(o, req.dtype));
    let n = 1;
    for (const s of req.shape) n *= s;
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    const outside = new Uint8Array(n);
    const flushed = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const b = operands.map((x) => (x === null ? null : x(i)));
      let [l, h, out] = f(b);
      out = out || b.some((x) => x !== null && x[2]) || !(Number.isFinite(l) && Number.isFinite(h));
      let fl = b.some((x) => x !== null && x[3] === true);
      if (ftz && req.dtype === promise.dtype && mayBeSubnormal(l, h)) {
        l = Math.min(l, 0);
        h = Math.max(h, 0);
        fl = true;
      }
      lo[i] = l;
      hi[i] = h;
      outside[i] = out ? 1 : 0;
      flushed[i] = fl ? 1 : 0;
    }
    return { lo, hi, outside, flushed };
  }

  function ext(req: OpRequest): Interval | undefined {
    // A reduction's value reaches the formulas as a float64 scalar (a norm, a rate): its own check
    // is the backend's reduction, so the context keeps numpy's value and no interval.
    if (req.op === "dot") return undefined;
    // Operations in another dtype (the spec's own float64 scalars, such as a hook's rate) are not
    // the backend's: IEEE arithmetic, correctly rounded in that dtype.
    const acc = req.dtype === promise.dtype ? accuracy(req.op) : IEEE;
    const D = req.dtype;
    if (acc === undefined) return elementwise(req, () => [NaN, NaN, true]);
    switch (req.op) {
      case "add":
      case "sub":
        return elementwise(req, ([a, b]) => {
          const [al, ah] = a!;
          const [bl, bh] = req.op === "add" ? [b![0], b![1]] : [-b![1], -b![0]];
          return [...round(D, acc, sumLower(al, bl), sumUpper(ah, bh)), false];
        });
      case "mul":
      case "square":
        return elementwise(req, ([a, b0]) => {
          const b = req.op === "square" ? a! : b0!;
          const [al, ah] = a!;
          const [bl, bh] = b;
          let l: number;
          let h: number;
          if (req.op === "square" && al <= 0 && ah >= 0) {
            l = 0;
            h = Math.max(productUpper(al, al), productUpper(ah, ah));
          } else {
            l = Math.min(productLower(al, bl), productLower(al, bh), productLower(ah, bl), productLower(ah, bh));
            h = Math.max(productUpper(al, bl), productUpper(al, bh), productUpper(ah, bl), productUpper(ah, bh));
          }
          return [...round(D, acc, l, h), false];
        });
      case "div":
        return elementwise(req, ([a, b]) => {
          const [al, ah] = a!;
          const [bl, bh] = b!;
          if (acc.kind === "ulp" && acc.domain !== undefined) {
            const m = Math.min(Math.abs(bl), Math.abs(bh));
            const straddles = bl <= 0 && bh >= 0;
            if (straddles || m < acc.domain.min || Math.max(Math.abs(bl), Math.abs(bh)) > acc.domain.max)
              return [NaN, NaN, true];
          } else if (bl <= 0 && bh >= 0) return [NaN, NaN, true];
          const l = Math.min(
            quotientLower(al, bl),
            quotientLower(al, bh),
            quotientLower(ah, bl),
            quotientLower(ah, bh),
          );
          const h = Math.max(
            quotientUpper(al, bl),
            quotientUpper(al, bh),
            quotientUpper(ah, bl),
            quotientUpper(ah, bh),
          );
          return [...round(D, acc, l, h), false];
        });
      case "sqrt":
        return elementwise(req, ([a]) => {
          const [al, ah] = a!;
          if (acc.kind !== "inherited") {
            if (al < 0) return [NaN, NaN, true];
            return [...round(D, acc, nextDown(Math.sqrt(al)), nextUp(Math.sqrt(ah))), false];
          }
          // 1 / inverseSqrt(x): inverseSqrt is promised for x > 0 only.
          if (!(al > 0)) return [NaN, NaN, true];
          let l = 1 / Math.sqrt(ah);
          let h = 1 / Math.sqrt(al);
          l = nextDown(l);
          h = nextUp(h);
          for (const s of acc.via) {
            if (s.step === "inverseSqrt") {
              [l, h] = [widenDown32(l, s.ulp), widenUp32(h, s.ulp)];
            } else {
              if (!(l >= MIN_NORMAL32) || h > 2 ** 126) return [NaN, NaN, true];
              [l, h] = [widenDown32(quotientLower(1, h), s.ulp), widenUp32(quotientUpper(1, l), s.ulp)];
            }
          }
          return [l, h, false];
        });
      case "maximum":
      case "minimum":
        return elementwise(req, ([a, b]) => [
          ...pick(req.op === "maximum" ? Math.max : Math.min, [a![0], a![1]], [b![0], b![1]]),
          false,
        ]);
      case "clip":
        return elementwise(req, ([x, lo, hi]) => {
          let r: [number, number] = [x![0], x![1]];
          if (lo !== null) r = pick(Math.max, r, [lo![0], lo![1]]);
          if (hi !== null) r = pick(Math.min, r, [hi![0], hi![1]]);
          return [r[0], r[1], false];
        });
      case "sign":
        return elementwise(req, ([a]) => [Math.sign(a![0]) || 0, Math.sign(a![1]) || 0, false]);
      case "nanToZero":
        return elementwise(req, ([a]) => [a![0], a![1], false]);
      case "assign":
        // [target, value]: the value stored into the target's dtype.
        return elementwise({ ...req, operands: [req.operands[1] ?? null] }, ([v]) => [
          down(D, v![0]),
          up(D, v![1]),
          false,
        ]);
      case "astype":
        return elementwise(req, ([a]) => [down(D, a![0]), up(D, a![1]), false]);
      default:
        return undefined;
    }
  }

  /**
   * max/min of two intervals. With flushing, a comparison may see a subnormal as zero while the
   * select passes the unflushed input on (WGSL: "if both x and y are subnormal, the result may be
   * either input"; zero ties the same way), so two operands near zero admit either one.
   */
  function pick(f: (x: number, y: number) => number, a: [number, number], b: [number, number]): [number, number] {
    let l = f(a[0], b[0]);
    let h = f(a[1], b[1]);
    const tiny = (v: [number, number]) => v[0] < MIN_NORMAL32 && v[1] > -MIN_NORMAL32;
    if (ftz && tiny(a) && tiny(b)) {
      l = Math.min(l, a[0], b[0]);
      h = Math.max(h, a[1], b[1]);
    }
    return [l, h];
  }

  const nextDown = (x: number): number => (x === 0 ? 0 : x * (1 - 2 ** -52));
  const nextUp = (x: number): number => x * (1 + 2 ** -52);

  const ctx: NumericsContext = {
    op(req: OpRequest): NDArray | undefined {
      // numpy's own value first (the spec's result stays bit-exact), then its interval beside it.
      const value = withNumerics(DECLINE, () => numpyOf(req));
      const iv = ext(req);
      if (iv !== undefined) table.set(value, iv);
      return value;
    },
  };
  return { ctx, intervalOf };
}

/** numpy's result of an operation request (evaluated with the context declined). */
function numpyOf(req: OpRequest): NDArray {
  const o = req.operands;
  const arr = (x: Operand | null | undefined): NDArray => x as NDArray;
  switch (req.op) {
    case "add":
      return np.add(o[0]!, o[1]!);
    case "sub":
      return np.sub(o[0]!, o[1]!);
    case "mul":
      return np.mul(o[0]!, o[1]!);
    case "div":
      return np.div(o[0]!, o[1]!);
    case "sqrt":
      return np.sqrt(arr(o[0]));
    case "square":
      return np.square(arr(o[0]));
    case "maximum":
      return np.maximum(o[0]!, o[1]!);
    case "minimum":
      return np.minimum(o[0]!, o[1]!);
    case "clip":
      return np.clip(arr(o[0]), o[1] ?? null, o[2] ?? null);
    case "sign":
      return np.sign(arr(o[0]));
    case "nanToZero":
      return np.nanToZero(arr(o[0]));
    case "assign":
      return np.assignTo(arr(o[0]), arr(o[1]));
    case "astype":
      return astype(arr(o[0]), req.dtype);
    case "dot":
      return np.dotSelf(arr(o[0]));
  }
}
