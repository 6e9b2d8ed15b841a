/**
 * Python's `repr` of floats and ints, for reproducing Chainer's messages and keys byte for byte.
 *
 * @clause numerics.repr.float `repr(float)` prints the shortest decimal digits that read back as the
 * same double (closest to it when several qualify). With the decimal point after `decpt` digits it
 * uses exponent form when decpt ≤ -4 or decpt > 16 (i.e. decimal exponent < -4 or ≥ 16), written
 * `d[.ddd]e±XX` with at least two exponent digits; otherwise fixed form, with `.0` added to integral
 * values. Specials are `inf`, `-inf`, `nan`; negative zero is `-0.0`.
 * @clause numerics.repr.int `repr(int)` is the exact decimal integer (no `.0`, no exponent).
 */

/** Python `repr(x)` for a float x. @clause numerics.repr.float */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // ECMAScript's toExponential() with no argument yields the same shortest, closest digits.
  const [mant = "", exp = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const decpt = Number(exp) + 1; // value = 0.<digits> × 10^decpt
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    return `${sign}${digits[0]}${frac}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/**
 * Python `repr` of a value that is a Python int when `isInt` (it must then be an integer-valued
 * double, printed exactly) and a float otherwise. @clause numerics.repr.int
 */
export function pyIntOrFloatRepr(x: number, isInt: boolean): string {
  if (!isInt) return pyFloatRepr(x);
  if (!Number.isInteger(x)) throw new RangeError(`pyIntOrFloatRepr: ${x} is not an integer`);
  return BigInt(x).toString();
}
