/**
 * Exact powers of two and double-double arithmetic (a value as hi + lo), shared by the correctly
 * rounded `pow` and `log`. JS has no fused multiply-add, so exact products use Dekker's algorithm
 * with Veltkamp's split; every helper is valid far from overflow and underflow, as at its callers.
 */

const view = new DataView(new ArrayBuffer(8));

/** 2^k for an integer k in [-1074, 1023], built from its bits (`2 ** k` is only approximated by spec). */
export function pow2(k: number): number {
  view.setBigUint64(0, k >= -1022 ? BigInt(k + 1023) << 52n : 1n << BigInt(k + 1074));
  return view.getFloat64(0);
}

/** hi + lo with |lo| ≤ ulp(hi)/2. */
export interface DD {
  hi: number;
  lo: number;
}

/** a + b = hi + lo exactly, for |a| ≥ |b| (Dekker). */
export function fastTwoSum(a: number, b: number): DD {
  const hi = a + b;
  return { hi, lo: b - (hi - a) };
}

/** a + b = hi + lo exactly, for any a, b (Knuth). */
export function twoSum(a: number, b: number): DD {
  const hi = a + b;
  const bb = hi - a;
  return { hi, lo: a - (hi - bb) + (b - bb) };
}

/** a·b = hi + lo exactly (Dekker, 2^27 + 1 split). */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = 134217729 * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = 134217729 * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

/** Relative error ≤ 7·2^-106 (Joldes–Muller–Popescu 2017, DWTimesDW1). */
export function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return fastTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

/** 1/a, relative error well below 2^-100 for a.hi in [½, 2]. */
export function ddRecip(a: DD): DD {
  const q = 1 / a.hi;
  const p = twoProd(a.hi, q);
  const r = 1 - p.hi - p.lo - a.lo * q; // 1 - a·q; 1 - p.hi is exact (Sterbenz)
  return fastTwoSum(q, r * q);
}
