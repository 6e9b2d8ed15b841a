/**
 * Correctly rounded `pow`, standing in for the C library `pow` that CPython's `math.pow` and
 * `float ** float` call (rule N8). V8's `Math.pow` is not correctly rounded (`0.9 ** 4` gives
 * 0.6561000000000001, CPython on x86-64 glibc gives 0.6561), so Chainer's scalar powers are
 * recomputed here from the exact value.
 *
 * @clause numerics.pow.correctly-rounded `pow(x, y)` is the double nearest to the real x^y (ties to
 * even), including subnormal results; a result whose rounding exceeds the largest double is ±Infinity.
 * glibc ≥ 2.28 claims < 0.52 ulp, so it can differ from this in rare hard cases (see the tests).
 * @clause numerics.pow.special Zeros, infinities and NaN follow C99 Annex F: pow(x, ±0) = 1 and
 * pow(1, y) = 1 even for NaN; pow(-1, ±Inf) = 1; a finite negative x with a non-integer y gives NaN;
 * pow(±0, y<0) is ±Infinity (sign kept for odd integer y). CPython's `math.pow` raises ValueError or
 * OverflowError in some of these cases; callers that need that check for it themselves.
 *
 * Method (Ziv): a fast evaluation with a proven error bound is rounded when the bound shows the
 * rounding is unambiguous; otherwise the value is recomputed at growing precision with BigInt until
 * it is (or it is found to be exact).
 */

import { type DD, ddMul, ddRecip, pow2 } from "./double-double.js";

// ---------------------------------------------------------------------------------------------
// Exponent extraction.

const view = new DataView(new ArrayBuffer(8));

/** x·2^k for a double x ≥ 2^-1022·2^-k whose product is normal or overflows (no double rounding). */
function scale(x: number, k: number): number {
  return k > 1000 ? x * pow2(k - 100) * pow2(100) : x * pow2(k);
}

/** Finite x > 0 as m·2^e with m in [√½, √2), both exact. */
function splitSqrt2(x: number): { m: number; e: number } {
  const sub = x < pow2(-1022) ? 64 : 0; // lift subnormals so the exponent field is meaningful
  view.setFloat64(0, sub ? x * pow2(64) : x);
  let e = ((view.getUint32(0) >>> 20) & 0x7ff) - 1023 - sub;
  let m = x / pow2(e); // exact: the quotient is representable (e ≥ -1074)
  if (m >= Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  return { m, e };
}

/** Finite x > 0 as M·2^j with M a 53-bit-or-less odd integer. */
function splitInt(x: number): { M: bigint; j: number } {
  const { m, e } = splitSqrt2(x);
  let M = BigInt(m * pow2(53)); // m·2^53 < 2^53.5 has at most 53 significant bits: exact
  let j = e - 53;
  while ((M & 1n) === 0n) {
    M >>= 1n;
    j += 1;
  }
  return { M, j };
}

// ---------------------------------------------------------------------------------------------
// Double-double arithmetic (`double-double.ts`).

/** Keep a scaled mantissa in [√½, √2) so that nothing overflows; exact. */
function renorm(v: DD, e: number): { v: DD; e: number } {
  if (v.hi >= Math.SQRT2) return { v: { hi: v.hi / 2, lo: v.lo / 2 }, e: e + 1 };
  if (v.hi < Math.SQRT1_2) return { v: { hi: v.hi * 2, lo: v.lo * 2 }, e: e - 1 };
  return { v, e };
}

// ---------------------------------------------------------------------------------------------
// BigInt floating point: m·2^e, m ≥ 0.

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/** The double nearest to m·2^e (ties to even), with subnormals and overflow. */
function roundBig(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const len = bitLength(m);
  const top = len - 1 + e; // m·2^e is in [2^top, 2^(top+1))
  if (top > 1023) return Infinity;
  const q = Math.max(top - 52, -1074); // weight of the last bit kept
  const shift = q - e;
  if (shift > len) return 0; // below half of the smallest subnormal
  if (shift <= 0) return Number(m << BigInt(-shift)) * pow2(q);
  const s = BigInt(shift);
  let mant = m >> s;
  const rem = m - (mant << s);
  const half = 1n << (s - 1n);
  if (rem > half || (rem === half && (mant & 1n) === 1n)) mant += 1n;
  return Number(mant) * pow2(q); // mant ≤ 2^53; 2^53·2^971 overflows to Infinity as it must
}

/** Round both ends of an enclosure; a number when they agree, else undefined. */
function roundEnclosure(lo: bigint, hi: bigint, e: number): number | undefined {
  const a = roundBig(lo < 0n ? 0n : lo, e);
  return a === roundBig(hi, e) ? a : undefined;
}

interface BigFloat {
  m: bigint;
  e: number;
}

/** Keep p significant bits, rounding toward zero or (up) away from it. */
function trunc(a: BigFloat, p: number, up: boolean): BigFloat {
  const s = bitLength(a.m) - p;
  if (s <= 0) return a;
  const k = BigInt(s);
  let m = a.m >> k;
  if (up && m << k !== a.m) m += 1n;
  return { m, e: a.e + s };
}

function bfMul(a: BigFloat, b: BigFloat, p: number, up: boolean): BigFloat {
  return trunc({ m: a.m * b.m, e: a.e + b.e }, p, up);
}

/** a^n (n ≥ 1) rounded down or up at p bits per step: a guaranteed lower/upper bound. */
function bfPow(a: BigFloat, n: number, p: number, up: boolean): BigFloat {
  let r: BigFloat = { m: 1n, e: 0 };
  let b = a;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) r = bfMul(r, b, p, up);
    if (k > 1) b = bfMul(b, b, p, up);
  }
  return r;
}

/** 1/a rounded down or up at p bits. */
function bfRecip(a: BigFloat, p: number, up: boolean): BigFloat {
  const k = p + bitLength(a.m);
  const num = 1n << BigInt(k);
  let m = num / a.m;
  if (up && m * a.m !== num) m += 1n;
  return { m, e: -k - a.e };
}

// ---------------------------------------------------------------------------------------------
// Integer powers.

/**
 * x^n for an integer n (|n| ≤ 2^53), correctly rounded.
 * @clause numerics.pow.integer Exponentiation by squaring in double-double with the mantissa kept
 * near 1 and the binary exponent tracked apart, rounded once; the accumulated relative error is
 * below (|n| + 64)·2^-102 (an error made while forming x^(2^k) is raised to at most n/2^k), and
 * when that bound straddles a rounding boundary the power is bracketed with BigInt instead.
 */
export function powInt(x: number, n: number): number {
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 53) throw new RangeError(`powInt: bad exponent ${n}`);
  if (n === 0) return 1;
  if (Number.isNaN(x)) return NaN;
  const odd = n % 2 !== 0;
  if (x === 0 || !Number.isFinite(x)) {
    const big = n > 0 === (x !== 0); // |x|^n is +Inf rather than 0
    const mag = big ? Infinity : 0;
    return odd && (x < 0 || Object.is(x, -0)) ? -mag : mag;
  }
  const sign = odd && x < 0 ? -1 : 1;
  const k = Math.abs(n);
  const { m, e } = splitSqrt2(Math.abs(x));

  let r = { v: { hi: 1, lo: 0 } as DD, e: 0 };
  let b = { v: { hi: m, lo: 0 } as DD, e: 0 };
  for (let i = k; i > 0; i = Math.floor(i / 2)) {
    if (i % 2 === 1) r = renorm(ddMul(r.v, b.v), r.e + b.e);
    if (i > 1) b = renorm(ddMul(b.v, b.v), 2 * b.e);
  }
  let v = r.v;
  let E = r.e + e * k;
  let relErr = (k + 64) * 2 ** -102;
  if (n < 0) {
    v = ddRecip(v);
    E = -E;
    relErr += 2 ** -100;
  }
  const fast = roundFast(v, E, relErr);
  return sign * (fast ?? powIntSlow(Math.abs(x), n));
}

/** (hi + lo)·2^E rounded, or undefined when the error bound leaves the rounding undecided. */
function roundFast(v: DD, E: number, relErr: number): number | undefined {
  if (E > 1025) return Infinity; // v.hi ≥ √½, so the value exceeds 2^1024
  if (E < -1100) return 0; // below 2^-1099, far under half the smallest subnormal
  if (E < -1021) return undefined; // result may be subnormal: rounds at a coarser quantum
  const err = 2 * relErr * v.hi; // doubled to cover the rounding of lo ± err
  if (v.hi + (v.lo - err) !== v.hi || v.hi + (v.lo + err) !== v.hi) return undefined;
  return scale(v.hi, E);
}

/** |x|^n bracketed with BigInt at growing precision until both bounds round alike. */
function powIntSlow(a: number, n: number): number {
  const { M, j } = splitInt(a);
  const x: BigFloat = { m: M, e: j };
  const k = Math.abs(n);
  for (let p = 128; ; p *= 2) {
    let lo = bfPow(x, k, p, false);
    let hi = bfPow(x, k, p, true);
    if (n < 0) [lo, hi] = [bfRecip(hi, p, false), bfRecip(lo, p, true)];
    // Align both bounds to one exponent for roundEnclosure.
    const e = Math.min(lo.e, hi.e);
    const r = roundEnclosure(lo.m << BigInt(lo.e - e), hi.m << BigInt(hi.e - e), e);
    if (r !== undefined) return r; // terminates: the bounds meet once p exceeds the exact size
  }
}

// ---------------------------------------------------------------------------------------------
// General powers: exp(y·ln x) in BigInt fixed point.

const ln2Cache = new Map<number, bigint>();

/** a·b/2^w truncated toward zero (an arithmetic shift would stall negative series at -1). */
function mulFixed(a: bigint, b: bigint, w: number): bigint {
  return (a * b) / (1n << BigInt(w));
}

/** 2·atanh(s)·2^w for s = num/den, |s| ≤ 1/3; error ≤ 6·(w/3 + 2) units of 2^-w. */
function twoAtanh(num: bigint, den: bigint, w: number): bigint {
  const s = (num << BigInt(w)) / den;
  const s2 = mulFixed(s, s, w);
  let sum = 0n;
  let term = s;
  for (let i = 1n; term !== 0n; i += 2n) {
    sum += term / i;
    term = mulFixed(term, s2, w);
  }
  return 2n * sum;
}

/** ln 2 · 2^w (ln 2 = 2·atanh(1/3)). */
function ln2Fixed(w: number): bigint {
  let v = ln2Cache.get(w);
  if (v === undefined) {
    v = twoAtanh(1n, 3n, w);
    ln2Cache.set(w, v);
  }
  return v;
}

/**
 * ln(x)·2^w for finite x > 0, from x = m·2^e with m in [√½, √2):
 * ln x = e·ln 2 + 2·atanh((m-1)/(m+1)). Error ≤ 1100·(2w + 12) units of 2^-w.
 */
function lnFixed(x: number, w: number): bigint {
  const { m, e } = splitSqrt2(x);
  const M = BigInt(m * pow2(53)); // exact
  const D = 1n << 53n;
  return BigInt(e) * ln2Fixed(w) + twoAtanh(M - D, M + D, w);
}

/**
 * x^y for finite x > 0 and finite y, by exp(y·ln x) computed with P-bit fixed point and an explicit
 * error bound; P doubles until the enclosure rounds to one double.
 * @clause numerics.pow.general The real exp(y·ln x) is enclosed to within ~2^-(P-30) relative
 * (P = 128, 256, …) and rounded once; exact dyadic results (perfect 2^q-th powers with q ≤ 5) are
 * computed exactly, so exact ties round to even instead of looping.
 */
function powPositive(x: number, y: number): number {
  const approx = y * Math.log2(x); // only to screen certain overflow/underflow
  if (approx > 1030) return Infinity;
  if (approx < -1080) return 0;
  const exact = exactDyadicPow(x, y);
  if (exact !== undefined) return exact;

  const { M: Y, j: ey } = splitInt(Math.abs(y));
  const ySign = y < 0 ? -1n : 1n;
  const yBits = bitLength(Y) + ey; // |y| < 2^yBits
  for (let P = 128; P <= 1 << 16; P *= 2) {
    // z = y·ln x at scale 2^P; ln x carries yBits extra bits so |y| does not magnify its error.
    const wl = P + Math.max(0, yBits);
    const z = (ySign * Y * lnFixed(x, wl)) >> BigInt(wl - P - ey);
    const errZ = 1100 * (2 * wl + 12) + 1;
    // exp(z) = 2^k·exp(r), r = z − k·ln 2, |r| ≤ ~0.35.
    const k = Math.round(Number(z >> BigInt(P - 64)) / 2 ** 64 / Math.LN2);
    const r = z - BigInt(k) * ln2Fixed(P);
    const errR = errZ + Math.abs(k) * 2 * (P + 6);
    let sum = 0n;
    let term = 1n << BigInt(P);
    let terms = 0;
    for (let i = 1n; term !== 0n; i++, terms++) {
      sum += term;
      term = mulFixed(term, r, P) / i;
    }
    const err = BigInt(Math.ceil(2 * errR + 3 * terms + 2)); // exp(r) ≤ 1.5 magnifies errR
    const res = roundEnclosure(sum - err, sum + err, k - P);
    if (res !== undefined) return res;
  }
  throw new Error(`pow(${x}, ${y}): rounding undecided at 65536 bits`); // not reachable in practice
}

/** Integer c ≥ 0 with c² ≤ a < (c+1)². */
function isqrt(a: bigint): bigint {
  if (a < 2n) return a;
  let c = BigInt(Math.floor(Math.sqrt(Number(a))));
  while (c * c > a) c -= 1n;
  while ((c + 1n) * (c + 1n) <= a) c += 1n;
  return c;
}

/**
 * x^y rounded from its exact value when x^y is a dyadic rational of at most 54 significant bits
 * (the only way it can be a double or a tie between doubles); undefined otherwise. With
 * y = p/2^q (p odd, q ≥ 1) and x = X·2^j (X odd) that needs X = c^(2^q), 2^q | j, c^p < 2^54,
 * hence q ≤ 5, and c = 1 when y < 0.
 */
function exactDyadicPow(x: number, y: number): number | undefined {
  let q = 0;
  let p = y;
  while (!Number.isInteger(p) && q < 5) {
    p *= 2;
    q += 1;
  }
  if (!Number.isInteger(p) || q === 0) return undefined;
  const { M: X, j } = splitInt(x);
  if (j % 2 ** q !== 0) return undefined;
  let c = X;
  for (let i = 0; i < q; i++) {
    const s = isqrt(c);
    if (s * s !== c) return undefined;
    c = s;
  }
  if (y < 0 && c !== 1n) return undefined;
  if (c !== 1n && p * Math.log2(Number(c)) > 55) return undefined;
  const cp = c === 1n ? 1n : c ** BigInt(p);
  return roundBig(cp, (j / 2 ** q) * p);
}

/**
 * C99 `pow(x, y)`, correctly rounded. @clause numerics.pow.correctly-rounded
 * @clause numerics.pow.special
 */
export function pow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (Number.isInteger(y) && Math.abs(y) < 2 ** 53) return powInt(x, y);
  // From here y is non-integer, or an even integer ≥ 2^53, or ±Infinity.
  if (!Number.isFinite(y)) {
    const ax = Math.abs(x);
    if (ax === 1) return 1;
    return ax > 1 === y > 0 ? Infinity : 0;
  }
  if (x === 0) return y > 0 ? 0 : Infinity; // y is not an odd integer here
  if (x === Infinity) return y > 0 ? Infinity : 0;
  if (x === -Infinity) return y > 0 ? Infinity : 0;
  if (x < 0) return Number.isInteger(y) ? powPositive(-x, y) : NaN; // integer y here is even
  return powPositive(x, y);
}
