/**
 * Test fixtures the golden recorder used: the deterministic GradientNoise function, the observer
 * hook, and the loss function. They are registered with the spec's public registries.
 */
import {
  type Json,
  type Link,
  type Loss,
  type NDArray,
  type Param,
  array,
  registerHookKind,
  registerNoiseFunction,
  paramPaths,
  roundTo,
} from "../../spec/index.js";

export const GOLDEN_NOISE_NAME = "golden_modular";
export const OBSERVER_KIND = "golden_observer";

/** Every noise call the golden noise function served, in order (the replay resets it per step). */
export const noiseLog: { param: string; ruleT: number; noise: NDArray }[] = [];
/** The gradients the observer hook saw at its last call. */
export const observed: { grads: Record<string, NDArray | null> | null } = { grads: null };

export function isGoldenNoiseDescription(text: string): boolean {
  return /\(\(7\*i \+ 3\*rule\.t\) mod 11\) - 5\) \/ 8\.0/.test(text);
}

/** noise_i = (eta * (((7 i + 3 t) mod 11) − 5)) / 8.0 in float64, then astype(dtype). */
registerNoiseFunction({
  name: GOLDEN_NOISE_NAME,
  draw({ shape, dtype, args, rule }) {
    const t = rule === null ? 0 : rule.t;
    const eta = args["eta"] as number;
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = (eta * (((7 * i + 3 * t) % 11) - 5)) / 8.0;
    const noise = array(dtype, shape, values);
    noiseLog.push({ param: rule?.path ?? "?", ruleT: t, noise });
    return { noise };
  },
});

registerHookKind({
  kind: OBSERVER_KIND,
  defaultName: "observer",
  timing: "pre",
  callForEachParam: false,
  clause: "hooks.call.order",
  validate: () => null,
  whole({ params }) {
    const grads: Record<string, NDArray | null> = {};
    for (const { path, param } of params) grads[path] = param.grad;
    observed.grads = grads;
    return { grads: {} };
  },
});

/** numpy's pairwise summation of a contiguous float array (`np.sum`). */
function npSum(a: NDArray): number {
  const d = a.data;
  const dt = a.dtype;
  const acc = dt === "float16" ? "float32" : dt;
  const pairwise = (lo: number, n: number): number => {
    if (n < 8) {
      let r = 0;
      for (let i = 0; i < n; i++) r = roundTo(acc, r + (d[lo + i] as number));
      return r;
    }
    if (n <= 128) {
      const r = Array.from({ length: 8 }, () => 0);
      for (let k = 0; k < 8; k++) r[k] = d[lo + k] as number;
      let i = 8;
      for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] = roundTo(acc, (r[k] as number) + (d[lo + i + k] as number));
      const s = (x: number, y: number) => roundTo(acc, x + y);
      let res = s(s(s(r[0] as number, r[1] as number), s(r[2] as number, r[3] as number)), s(s(r[4] as number, r[5] as number), s(r[6] as number, r[7] as number)));
      for (; i < n; i++) res = roundTo(acc, res + (d[lo + i] as number));
      return res;
    }
    let n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return roundTo(acc, pairwise(lo, n2) + pairwise(lo + n2, n - n2));
  };
  if (d.length === 0) return 0;
  return roundTo(dt, pairwise(0, d.length));
}

/**
 * The recorder's loss: `sum over param_order of F.sum(p * p)`, added left to right. Its backward
 * gives each parameter `gy·p + gy·p` with `gy` the loss scale (or 1) in the parameter's dtype.
 */
export function goldenLoss(link: Link): Loss {
  const paths = paramPaths(link.structure);
  let value: number | null = null;
  let dtype: NDArray["dtype"] = "float32";
  for (const path of paths) {
    const p = link.params[path] as Param;
    if (p.data === null) continue;
    dtype = p.dtype;
    const sq = array(p.dtype, p.data.shape, Array.from(p.data.data, (x) => x * x));
    const s = npSum(sq);
    value = value === null ? s : roundTo(p.dtype, value + s);
  }
  return {
    value: array(dtype, [], [value ?? 0]),
    backward(lossScale) {
      const grads: Record<string, NDArray> = {};
      for (const path of paths) {
        const p = link.params[path] as Param;
        if (p.data === null) continue;
        const gy = roundTo(p.dtype, lossScale ?? 1);
        const half = Array.from(p.data.data, (x) => roundTo(p.dtype, gy * x));
        grads[path] = array(p.dtype, p.data.shape, half.map((h) => h + h));
      }
      return grads;
    },
  };
}

export type { Json };
