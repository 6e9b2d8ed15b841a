/**
 * The correctly rounded natural logarithm, standing in for the C library `log` of numpy's legacy
 * Gaussian draws (`numerics.rng.log`, `mt19937.ts`).
 */
import { pow2, twoProd, twoSum } from "./double-double.js";

const view = new DataView(new ArrayBuffer(8));

// Fast path: x = 2^k·m with m in [~√½, ~√2), c = j/256 the grid point nearest m and
// log x = k·ln2 + log c + 2·atanh(s), s = (m − c)/(m + c), |s| < 2^-9.4, evaluated in double-double
// with a proven error below 2^-68 of |k·ln2| + |log c| + |2s| (the actual error is under 2^-69.5
// of that sum; the bound keeps a margin). If that enclosure does not decide the rounding (about
// one call in 3000), the value is recomputed with BigInt fixed point, at growing precision, until
// it does; log x is transcendental for x ≠ 1, so this ends.

/** The double nearest to N·2^-w (N ≠ 0 and the result normal, as for every log here). */
function roundFixed(n: bigint, w: number): number {
  const neg = n < 0n;
  let a = neg ? -n : n;
  const len = a.toString(2).length;
  let e = len - 1 - w; // 2^e ≤ |value| < 2^(e+1)
  const drop = len - 53;
  if (drop > 0) {
    const rest = a & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    a >>= BigInt(drop);
    if (rest > half || (rest === half && (a & 1n) === 1n)) a += 1n;
    if (a === 1n << 53n) {
      a >>= 1n;
      e += 1;
    }
  } else {
    a <<= BigInt(-drop);
  }
  view.setBigUint64(0, (BigInt(e + 1023) << 52n) | (a - (1n << 52n)));
  const r = view.getFloat64(0);
  return neg ? -r : r;
}

/** 2·atanh(p/q) as a fixed-point integer with w fraction bits, and a bound on its error in units. */
function twoAtanhFixed(p: bigint, q: bigint, w: number): { v: bigint; err: number } {
  // |p/q| ≤ 1/3 at every call site, so each term is at most 1/9 of the one before.
  const p2 = p * p;
  const q2 = q * q;
  let term = (p << BigInt(w)) / q; // truncation: 1 unit
  let sum = term;
  let i = 0;
  while (term !== 0n) {
    i += 1;
    term = (term * p2) / q2;
    sum += term / BigInt(2 * i + 1);
  }
  // term_i carries ≤ i + 1 units (errors shrink under ×(p/q)^2), the division one more; the
  // neglected tail is below the last term's error; doubling doubles everything.
  return { v: 2n * sum, err: 2 * (3 * (i + 2) + 4) };
}

const ln2Cache = new Map<number, { v: bigint; err: number }>();

function ln2Fixed(w: number): { v: bigint; err: number } {
  let r = ln2Cache.get(w);
  if (r === undefined) {
    r = twoAtanhFixed(1n, 3n, w); // ln 2 = 2·atanh(1/3)
    ln2Cache.set(w, r);
  }
  return r;
}

/** Finite x > 0 as the exact rational num/den · 2^k with num/den in [1/√2, √2]. */
function reduceExact(x: number): { num: bigint; den: bigint; k: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const field = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  // x = mant·2^(e − 52) with mant in [2^52, 2^53) (normal) or below (subnormal).
  const mant = field === 0 ? frac : frac | (1n << 52n);
  const len = mant.toString(2).length;
  const e = (field === 0 ? -1074 : field - 1075) + len - 1; // 2^e ≤ x < 2^(e+1)
  // m0 = x/2^e = mant/2^(len−1) in [1, 2); halve it when m0 ≥ √2 (i.e. mant² ≥ 2·4^(len−1)).
  const den0 = 1n << BigInt(len - 1);
  if (mant * mant >= 2n * den0 * den0) return { num: mant, den: den0 << 1n, k: e + 1 };
  return { num: mant, den: den0, k: e };
}

/** Correctly rounded log of a finite x > 0, x ≠ 1, by BigInt fixed point. */
function logSlow(x: number): number {
  const { num, den, k } = reduceExact(x);
  for (let w = 128; ; w *= 2) {
    const a = twoAtanhFixed(num - den, num + den, w); // |(m−1)/(m+1)| ≤ 0.172
    const l = ln2Fixed(w);
    const v = a.v + BigInt(k) * l.v;
    const err = BigInt(a.err + Math.abs(k) * l.err + 1);
    const lo = roundFixed(v - err, w);
    const hi = roundFixed(v + err, w);
    if (lo === hi) return lo;
  }
}

/** ln 2 as LN2_HI + LN2_LO, LN2_HI with 32 significant bits so that k·LN2_HI is exact. */
const { LN2_HI, LN2_LO } = (() => {
  const w = 256;
  const l = ln2Fixed(w).v;
  const hiFixed = (l >> BigInt(w - 32)) << BigInt(w - 32);
  return { LN2_HI: roundFixed(hiFixed, w), LN2_LO: roundFixed(l - hiFixed, w) };
})();

/** log(j/256) for j in [181, 363] as hi + lo (|error| ≤ 2^-105·|log|), filled on first use. */
const LOGC_HI = new Float64Array(364);
const LOGC_LO = new Float64Array(364);
let logcReady = false;

function fillLogTable(): void {
  const w = 256;
  for (let j = 181; j <= 363; j++) {
    if (j === 256) continue; // log 1 = 0
    const v = twoAtanhFixed(BigInt(j - 256), BigInt(j + 256), w).v;
    const hi = roundFixed(v, w);
    // hi·2^w as an exact integer (hi is a double well above 2^-w), then the remainder.
    view.setFloat64(0, Math.abs(hi));
    const b = view.getBigUint64(0);
    const m = (b & ((1n << 52n) - 1n)) | (1n << 52n);
    const ex = Number(b >> 52n) - 1075 + w;
    const hiFixed = (ex >= 0 ? m << BigInt(ex) : m >> BigInt(-ex)) * (hi < 0 ? -1n : 1n);
    const rest = v - hiFixed;
    LOGC_HI[j] = hi;
    LOGC_LO[j] = rest === 0n ? 0 : roundFixed(rest, w);
  }
  logcReady = true;
}

const TWO_POW_M68 = pow2(-68);
const MIN_NORMAL = pow2(-1022);

/**
 * The double nearest to the natural logarithm of x (ties cannot occur), with C99 special values:
 * log(±0) = −Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity, log(1) = +0.
 * @clause numerics.rng.log
 */
export function logCorrectlyRounded(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return Infinity;
  if (x === 1) return 0;
  if (x < MIN_NORMAL) return logSlow(x);
  if (!logcReady) fillLogTable();

  view.setFloat64(0, x);
  let k = ((view.getUint32(0) >>> 20) & 0x7ff) - 1023;
  // Exact power-of-two scaling into [1, 2) (2^-1023 is subnormal, so that case goes in two steps).
  let m = k === 1023 ? x * 0.5 * pow2(-1022) : x * pow2(-k);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    k += 1;
  }
  const j = Math.round(m * 256); // in [181, 363]
  const c = j / 256;

  // s = (m − c)/(m + c) as q + ql. m − c is exact (a multiple of 2^-53 below 2^-9 in size).
  const num = m - c;
  const d = twoSum(m, c); // m + c = dh + dl exactly
  const dh = d.hi;
  const q = num / dh;
  const qd = twoProd(q, dh); // q·dh = p + pe exactly
  const ql = (num - qd.hi - qd.lo - q * d.lo) / dh;

  // 2·atanh(s) − 2s = 2s·(u/3 + u²/5 + u³/7 + u⁴/9 + …), u = s² < 2^-18.8.
  const u = q * q;
  const tail = 2 * q * u * (1 / 3 + u * (1 / 5 + u * (1 / 7 + u * (1 / 9))));

  // Sum k·ln2 + log c + 2s + tail in double-double.
  const a = k * LN2_HI; // exact
  const lc = LOGC_HI[j]!;
  const s1 = twoSum(a, lc);
  const twoQ = 2 * q;
  const s2 = twoSum(s1.hi, twoQ);
  const hi = s2.hi;
  const lo = s1.lo + s2.lo + k * LN2_LO + LOGC_LO[j]! + 2 * ql + tail;

  // r = fl(hi + lo), with hi + lo = r + e exactly.
  const rs = twoSum(hi, lo);
  const r = rs.hi;
  const e = rs.lo;
  const err = TWO_POW_M68 * (Math.abs(a) + Math.abs(lc) + Math.abs(twoQ));

  // r is the correct rounding if every value within err of r + e rounds to r. In terms of
  // magnitude: half the gap above |r| is ulp/2, below it ulp/4 when |r| is a power of two.
  view.setFloat64(0, r);
  const hw = view.getUint32(0);
  const ulp = pow2(((hw >>> 20) & 0x7ff) - 1075); // |r| ≥ 2^-54, so the exponent is ≥ -107
  const isPow2 = (hw & 0xfffff) === 0 && view.getUint32(4) === 0;
  const halfUp = ulp / 2;
  const halfDown = isPow2 ? ulp / 4 : ulp / 2;
  const eMag = r < 0 ? -e : e; // positive: away from zero
  if (eMag + err < halfUp && eMag - err > -halfDown) return r;
  return logSlow(x);
}
