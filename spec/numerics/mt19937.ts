/**
 * numpy's legacy global random stream (`numpy.random.RandomState`, the generator behind
 * `numpy.random.normal`), re-implemented bit for bit (the C library's log aside, see
 * numerics.rng.log) and without hidden state: every function takes a plain-data state and returns
 * the values drawn together with the next state.
 *
 * Chainer's `GradientNoise` hook draws its default noise with `numpy.random.normal(0, std, shape)`
 * (then `.astype(dtype)`, which is the caller's business); with these functions a seeded spec run
 * reproduces `numpy.random.RandomState(seed).normal(...)`: the MT19937 words, uniforms, cache and
 * state exactly, the Gaussians exactly wherever the C library's log is correctly rounded.
 *
 * @clause numerics.rng.mt19937 The bit source is MT19937 (Matsumoto–Nishimura 2002, as in numpy's
 * `mt19937.c`): 624 uint32 key words and a position `pos` in [0, 624]. Drawing a word first
 * regenerates the whole key ("twist") when `pos` is 624, then tempers `key[pos]` and advances `pos`.
 * @clause numerics.rng.seed `RandomState(seed)` for an integer 0 ≤ seed < 2^32 runs numpy's
 * `mt19937_seed` (Knuth's init_genrand): key[0] = seed, key[i] = 1812433253·(key[i−1] ⊕
 * (key[i−1] >> 30)) + i mod 2^32; pos = 624; no cached deviate. Other seeds are refused.
 * @clause numerics.rng.random-sample `random_sample` draws two words a, b and returns
 * ((a >> 5)·2^26 + (b >> 6)) / 2^53, a multiple of 2^-53 in [0, 1).
 * @clause numerics.rng.legacy-gauss The legacy standard normal is Marsaglia's polar method with a
 * one-deviate cache: with a cached deviate, return it and clear the cache (the cached value becomes
 * +0). Otherwise repeat x1 = 2u1 − 1, x2 = 2u2 − 1 (u from random_sample), r2 = x1·x1 + x2·x2 until
 * 0 < r2 < 1; then f = sqrt(−2·log(r2) / r2) (evaluated left to right), cache f·x1 and return f·x2.
 * The cache lives in the state, so it carries over from one call to the next.
 * @clause numerics.rng.log `log` above is the C library's. The spec uses the correctly rounded
 * natural logarithm. glibc's log (≥ 2.28, error < 0.52 ulp) is not always correctly rounded: on
 * x86-64 glibc 2.36 it differs in the last bit for about 0.085% of the polar method's arguments
 * (130 of 154096 in this module's numpy fixture), and each such draw pair may then differ from numpy
 * by an ulp in float64 (after `.astype(float32)` or float16 such a difference survives only with
 * probability ~2^-28). Matching glibc everywhere would mean embedding its log tables; instead the
 * log is injectable (`GaussOptions.log`), and with glibc's values supplied at those arguments the
 * streams equal numpy's bit for bit. V8's `Math.log` is much further off (about 7% of arguments in
 * (0, 1) differ from glibc), so it is never used.
 * @clause numerics.rng.normal `normal(loc, scale, n)` returns, element by element in order,
 * loc + scale·gauss (one rounding per operation). A scale with its sign bit set (negative or −0)
 * is refused as numpy does ("scale < 0"); NaN is accepted.
 */

/** numpy's `RandomState.get_state()` as plain JSON data. */
export interface LegacyRandomState {
  /** The 624 MT19937 key words, each an integer in [0, 2^32). */
  readonly key: readonly number[];
  /** Index of the next key word to temper, in [0, 624]; 624 means "twist before the next draw". */
  readonly pos: number;
  /** Whether a second polar deviate is cached. */
  readonly hasGauss: boolean;
  /** The cached deviate (0 when none); mirrors `gaussBits`, which is authoritative. */
  readonly gauss: number;
  /** Big-endian IEEE-754 bits of `gauss` as 16 lowercase hex digits (JSON cannot carry −0 or NaN). */
  readonly gaussBits: string;
}

/** Options of the Gaussian draws. */
export interface GaussOptions {
  /**
   * The natural logarithm of the polar method, called with r2 in (0, 1); defaults to
   * `logCorrectlyRounded`. A test can pass the C library's values to reproduce a platform exactly.
   * @clause numerics.rng.log
   */
  readonly log?: (x: number) => number;
}

/** Values drawn and the state after drawing them. */
export interface Draw<T> {
  readonly values: T;
  readonly state: LegacyRandomState;
}

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

const view = new DataView(new ArrayBuffer(8));
const view2 = new DataView(new ArrayBuffer(8));

/** 2^k for an integer k in [-1022, 1023], built from its bits (no reliance on `**`). */
function pow2(k: number): number {
  view2.setUint32(0, (k + 1023) << 20);
  view2.setUint32(4, 0);
  return view2.getFloat64(0);
}

function bitsHex(x: number): string {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

function fromBitsHex(h: string): number {
  view.setBigUint64(0, BigInt(`0x${h}`));
  return view.getFloat64(0);
}

// ---------------------------------------------------------------------------------------------
// State checks and the mutable working copy used inside one call.

/** Throws a TypeError unless `state` is a well-formed legacy state; returns the cached deviate. */
function checkState(state: LegacyRandomState): number {
  const { key, pos, hasGauss, gauss, gaussBits } = state;
  if (!Array.isArray(key) || key.length !== N) {
    throw new TypeError(`LegacyRandomState.key must hold ${N} words, got ${String(key?.length)}`);
  }
  for (let i = 0; i < N; i++) {
    const w = key[i];
    if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w > 0xffffffff) {
      throw new TypeError(`LegacyRandomState.key[${i}] = ${String(w)} is not a uint32`);
    }
  }
  if (!Number.isInteger(pos) || pos < 0 || pos > N) {
    throw new TypeError(`LegacyRandomState.pos = ${String(pos)} is not in [0, ${N}]`);
  }
  if (typeof hasGauss !== "boolean") throw new TypeError("LegacyRandomState.hasGauss must be a boolean");
  if (typeof gaussBits !== "string" || !/^[0-9a-f]{16}$/.test(gaussBits)) {
    throw new TypeError(`LegacyRandomState.gaussBits = ${String(gaussBits)} is not 16 lowercase hex digits`);
  }
  const g = fromBitsHex(gaussBits);
  // JSON turns −0 into 0 and NaN into null, so those are the only disagreements accepted.
  const g2: unknown = gauss;
  const agrees = g === 0 ? g2 === 0 : Number.isNaN(g) ? g2 === null || Number.isNaN(g2) : g2 === g;
  if (!agrees) {
    throw new TypeError(`LegacyRandomState.gauss = ${String(gauss)} disagrees with gaussBits ${gaussBits}`);
  }
  return g;
}

/** The mutable state of one call: a private copy of the key, made once. */
class Work {
  readonly key: Uint32Array;
  pos: number;
  hasGauss: boolean;
  gauss: number;

  constructor(state: LegacyRandomState) {
    const g = checkState(state);
    this.key = Uint32Array.from(state.key);
    this.pos = state.pos;
    this.hasGauss = state.hasGauss;
    this.gauss = g;
  }

  /** Regenerate all 624 words. @clause numerics.rng.mt19937 */
  private twist(): void {
    const mt = this.key;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[i + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[i + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** One tempered 32-bit word. @clause numerics.rng.mt19937 */
  next32(): number {
    if (this.pos === N) this.twist();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** @clause numerics.rng.random-sample */
  nextDouble(): number {
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** @clause numerics.rng.legacy-gauss */
  gaussian(log: (x: number) => number): number {
    if (this.hasGauss) {
      const t = this.gauss;
      this.hasGauss = false;
      this.gauss = 0;
      return t;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  freeze(): LegacyRandomState {
    return {
      key: Array.from(this.key),
      pos: this.pos,
      hasGauss: this.hasGauss,
      gauss: this.gauss,
      gaussBits: bitsHex(this.gauss),
    };
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what}: the number of draws must be a non-negative integer, got ${String(n)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API.

/**
 * The state of `numpy.random.RandomState(seed)` for an integer seed in [0, 2^32).
 * @clause numerics.rng.seed
 */
export function seedLegacy(seed: number): LegacyRandomState {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seedLegacy: seed must be an integer in [0, 2**32 - 1], got ${String(seed)}`);
  }
  const key = new Array<number>(N);
  let s = seed >>> 0;
  for (let i = 0; i < N; i++) {
    key[i] = s;
    s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
  }
  return { key, pos: N, hasGauss: false, gauss: 0, gaussBits: bitsHex(0) };
}

/**
 * `n` draws of `RandomState.random_sample`, i.e. uniform doubles in [0, 1) with 53 random bits.
 * The cached Gaussian deviate is left as it is. Pure: `state` is not modified.
 * @clause numerics.rng.random-sample
 */
export function randomDoubles(state: LegacyRandomState, n: number): Draw<Float64Array> {
  checkCount(n, "randomDoubles");
  const w = new Work(state);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = w.nextDouble();
  return { values, state: w.freeze() };
}

/**
 * One legacy standard normal deviate (`legacy_gauss`, what `RandomState.standard_normal` draws).
 * @clause numerics.rng.legacy-gauss
 */
export function legacyGauss(
  state: LegacyRandomState,
  options: GaussOptions = {},
): { readonly value: number; readonly state: LegacyRandomState } {
  const w = new Work(state);
  const value = w.gaussian(options.log ?? logCorrectlyRounded);
  return { value, state: w.freeze() };
}

/**
 * `RandomState.normal(loc, scale, n)`: element i is loc + scale·gauss_i, in draw order.
 * Throws a RangeError for a scale with its sign bit set (numpy's "scale < 0"; −0 included).
 * Pure: `state` is not modified; the key is copied once per call.
 * @clause numerics.rng.normal
 */
export function normal(
  state: LegacyRandomState,
  loc: number,
  scale: number,
  n: number,
  options: GaussOptions = {},
): Draw<Float64Array> {
  checkCount(n, "normal");
  if (!Number.isNaN(scale) && (scale < 0 || Object.is(scale, -0))) {
    throw new RangeError(`normal: scale < 0 (got ${String(scale)})`);
  }
  const log = options.log ?? logCorrectlyRounded;
  const w = new Work(state);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = loc + scale * w.gaussian(log);
  return { values, state: w.freeze() };
}

// ---------------------------------------------------------------------------------------------
// Correctly rounded natural logarithm.
//
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
  const dh = m + c;
  const bv = dh - m; // TwoSum: m + c = dh + dl exactly
  const dl = m - (dh - bv) + (c - bv);
  const q = num / dh;
  const p = q * dh;
  const ca = 134217729 * q; // Dekker's exact product q·dh = p + pe (Veltkamp split)
  const qh = ca - (ca - q);
  const ql0 = q - qh;
  const cb = 134217729 * dh;
  const dhh = cb - (cb - dh);
  const dhl = dh - dhh;
  const pe = qh * dhh - p + qh * dhl + ql0 * dhh + ql0 * dhl;
  const ql = (num - p - pe - q * dl) / dh;

  // 2·atanh(s) − 2s = 2s·(u/3 + u²/5 + u³/7 + u⁴/9 + …), u = s² < 2^-18.8.
  const u = q * q;
  const tail = 2 * q * u * (1 / 3 + u * (1 / 5 + u * (1 / 7 + u * (1 / 9))));

  // Sum k·ln2 + log c + 2s + tail in double-double.
  const a = k * LN2_HI; // exact
  const lc = LOGC_HI[j]!;
  const s1 = a + lc;
  const bb = s1 - a;
  const e1 = a - (s1 - bb) + (lc - bb);
  const twoQ = 2 * q;
  const hi = s1 + twoQ;
  const b2 = hi - s1;
  const e2 = s1 - (hi - b2) + (twoQ - b2);
  const lo = e1 + e2 + k * LN2_LO + LOGC_LO[j]! + 2 * ql + tail;

  // r = fl(hi + lo), with hi + lo = r + e exactly.
  const r = hi + lo;
  const b3 = r - hi;
  const e = hi - (r - b3) + (lo - b3);
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
