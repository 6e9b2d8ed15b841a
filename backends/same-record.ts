/**
 * Whether two flat records hold the same keys with the same values (`Object.is`, so NaN equals
 * NaN and 0 differs from -0, as a scalar derived from either would). Kernels and dry runs use it to
 * reuse work across consecutive parameters whose hyperparameters or extras repeat.
 */
export function sameRecord(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.is(a[k], b[k])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
