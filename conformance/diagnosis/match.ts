/**
 * How well a predicted outcome explains a backend's outputs: of the elements where the backend
 * differs from the spec, how many the prediction reproduces, and whether the prediction also
 * agrees where the backend is right.
 */
import type { NDArray } from "../../spec/index.js";
import { elementPasses } from "../checks/compare.js";

export interface Outputs {
  readonly param: NDArray;
  readonly state: Readonly<Record<string, NDArray>>;
}

export interface MatchCount {
  /** Elements (over every output) where the backend differs from the spec. */
  readonly failing: number;
  /** Of those, how many the prediction reproduces. */
  readonly matched: number;
  /** Whether the prediction equals the backend's outputs everywhere. */
  readonly whole: boolean;
}

function arrays(o: Outputs, keys: readonly string[]): NDArray[] {
  return [...keys.map((k) => o.state[k] as NDArray), o.param];
}

export function countMatch(expected: Outputs, actual: Outputs, predicted: Outputs, tol: number): MatchCount {
  const keys = Object.keys(expected.state);
  const es = arrays(expected, keys);
  const as = arrays(actual, keys);
  const ps = arrays(predicted, keys);
  let failing = 0;
  let matched = 0;
  let whole = true;
  es.forEach((e, j) => {
    const a = as[j];
    const p = ps[j];
    if (a === undefined || p === undefined || p.data.length !== e.data.length) {
      whole = false;
      return;
    }
    for (let i = 0; i < e.data.length; i++) {
      const av = a.data[i] as number;
      const hit = elementPasses(e.dtype, p.data[i] as number, av, tol);
      if (!hit) whole = false;
      if (!elementPasses(e.dtype, e.data[i] as number, av, tol)) {
        failing++;
        if (hit) matched++;
      }
    }
  });
  return { failing, matched, whole };
}
