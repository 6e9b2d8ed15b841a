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

import { fromBitsHex, toBitsHex } from "./bits.js";
import { logCorrectlyRounded } from "./log.js";

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
  const g = fromBitsHex("float64", gaussBits);
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
      gaussBits: toBitsHex("float64", this.gauss),
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
  const key = Array.from({ length: N }, () => 0);
  let s = seed >>> 0;
  for (let i = 0; i < N; i++) {
    key[i] = s;
    s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
  }
  return { key, pos: N, hasGauss: false, gauss: 0, gaussBits: toBitsHex("float64", 0) };
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
