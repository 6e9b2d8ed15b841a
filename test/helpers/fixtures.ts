/** Small links and helpers shared by the spec's tests. */
import {
  type LinkStructure,
  type NDArray,
  type OptimizerState,
  type Dtype,
  addHook,
  array,
  createLink,
  createOptimizer,
  gradientClipping,
  gradientLARS,
  gradientNoise,
  lasso,
  lossScaling,
  paramPaths,
  setup,
  weightDecay,
} from "../../spec/index.js";

export function smallStructure(dtype: Dtype = "float32"): LinkStructure {
  return {
    kind: "chain",
    params: [{ name: "u", dtype, shape: [3] }],
    children: [
      {
        name: "enc",
        link: {
          kind: "link",
          params: [
            { name: "b", dtype, shape: [2] },
            { name: "W", dtype, shape: [2, 3] },
          ],
          children: [],
        },
      },
      { name: "dec", link: { kind: "link", params: [{ name: "w", dtype, shape: [4] }], children: [] } },
    ],
  };
}

export function smallLink(dtype: Dtype = "float32", seed = 1) {
  const s = smallStructure(dtype);
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  };
  const data: Record<string, NDArray> = {};
  const shapes: Record<string, number[]> = { "/u": [3], "/enc/b": [2], "/enc/W": [2, 3], "/dec/w": [4] };
  for (const p of paramPaths(s)) {
    const shape = shapes[p] as number[];
    data[p] = array(dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next));
  }
  return createLink(s, data);
}

/** A deep, comparable snapshot of any plain value (typed arrays become arrays of bit strings). */
export function snapshot(x: unknown): unknown {
  if (x instanceof Float64Array) return Array.from(x, (v) => (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v));
  if (Array.isArray(x)) return x.map(snapshot);
  if (typeof x === "object" && x !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = snapshot(v);
    return o;
  }
  return x;
}

export function gradsFor(state: OptimizerState, seed: number): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  let x = seed;
  for (const [path, p] of Object.entries(state.target?.params ?? {})) {
    if (p.data === null) continue;
    out[path] = array(
      p.dtype,
      p.data.shape,
      Array.from(p.data.data, () => {
        x = (x * 69069 + 1) % 4294967296;
        return x / 4294967296 - 0.5;
      }),
    );
  }
  return out;
}

/** Adam on the small link with every kind of hook (pre, post, per-rule) and dynamic loss scaling. */
export function adamWithHooks(dtype: "float32" | "float64" = "float32"): OptimizerState {
  let s = setup(createOptimizer("Adam", { alpha: 0.01 }), smallLink(dtype, 7));
  s = addHook(s, weightDecay(1e-2));
  s = addHook(s, gradientClipping(0.1));
  s = addHook(s, gradientLARS(), { timing: "post" });
  s = addHook(s, gradientNoise(0.1));
  s = addHook(s, lasso(1e-3), {}, { rule: "/enc/W" });
  return lossScaling(s, {});
}
