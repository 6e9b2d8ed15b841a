/**
 * Wrong backends for the kit's own tests: the JS backend with one deliberate bug each, and a small
 * float16 backend (kernels computed by the spec on plain Float64Array buffers) with its own wrong
 * twin. Each bug is one a real SIMD or GPU backend could make.
 */
import {
  type Dtype,
  type NDArray,
  type OptimizerDef,
  OPTIMIZERS,
  alphaT,
  astype,
  pow,
  roundTo,
} from "../../spec/index.js";
import { jsBackend } from "../../backends/js/index.js";
import {
  type AnyBackend,
  type Memory,
  type OptimizerBuffers,
  type OptimizerKernel,
  type Segment,
  syncResult,
} from "../../backends/contract.js";

export type Bufs = OptimizerBuffers<Float32Array | Float64Array>;
export const js = jsBackend as unknown as AnyBackend;
export const kernel = (name: string) => js.optimizers[name] as OptimizerKernel<unknown>;

export function withOptimizer(
  name: string,
  kernelName: string,
  update: OptimizerKernel<unknown>["update"],
): AnyBackend {
  return { ...js, name, optimizers: { ...js.optimizers, [kernelName]: { update } } };
}

export const rounder = (dtype: Dtype) => (dtype === "float32" ? Math.fround : (v: number) => v);

/** Runs a JS kernel, then puts back the inputs at the elements `keep` selects (within each segment). */
export function keeping(
  kernelName: string,
  keep: (b: Bufs, s: Segment, i: number) => boolean,
): OptimizerKernel<unknown>["update"] {
  return (d, b, segs) => {
    const bufs = b as Bufs;
    const all = [bufs.param, ...Object.values(bufs.state)];
    const before = all.map((x) => x.slice());
    const keepers = segs.map((s) => Array.from({ length: s.length }, (_, j) => keep(bufs, s, s.offset + j)));
    syncResult(kernel(kernelName).update(d, b, segs), kernelName);
    segs.forEach((s, k) => {
      for (let j = 0; j < s.length; j++) {
        if (!keepers[k]![j]) continue;
        all.forEach((x, w) => (x[s.offset + j] = before[w]![s.offset + j]!));
      }
    });
  };
}

/** sumSquares in four lanes added at the end (a SIMD reduction). */
export function fourLanes(dtype: Dtype, buf: unknown, offset: number, length: number): number {
  const x = buf as Float32Array | Float64Array;
  const r = rounder(dtype);
  const acc = [0, 0, 0, 0];
  for (let i = 0; i < length; i++) acc[i % 4] = r(acc[i % 4]! + r(x[offset + i]! * x[offset + i]!));
  return r(r(r(acc[0]! + acc[1]!) + acc[2]!) + acc[3]!);
}

// ------------------------------------------------------------------ a float16 backend

const f64Memory: Memory<Float64Array> = {
  alloc: (_d, n) => new Float64Array(n),
  write: (buf, values, offset = 0) => {
    buf.set(values, offset);
  },
  read: (buf, offset = 0, length) => buf.slice(offset, offset + (length ?? buf.length - offset)),
};

function sliceOf(dtype: Dtype, buf: Float64Array, s: Segment): NDArray {
  return { dtype, shape: [s.length], data: buf.slice(s.offset, s.offset + s.length) };
}

/** A float16 kernel computed by the spec; `once` computes in float32 and rounds to float16 once. */
function specKernel(def: OptimizerDef, once: boolean): OptimizerKernel<Float64Array> {
  return {
    update(dtype, bufs, segs) {
      for (const s of segs) {
        const state: Record<string, NDArray> = {};
        const wide = (a: NDArray) => (once ? astype(a, "float32") : a);
        for (const [k, b] of Object.entries(bufs.state)) state[k] = wide(sliceOf(dtype, b, s));
        const r = def.update({
          path: "",
          param: wide(sliceOf(dtype, bufs.param, s)),
          grad: wide(sliceOf(dtype, bufs.grad, s)),
          state,
          hp: s.hp,
          t: s.t,
          extras: s.extras,
        });
        const out = (a: NDArray) => a.data.map((x) => roundTo(dtype, x));
        bufs.param.set(out(r.param), s.offset);
        for (const [k, b] of Object.entries(bufs.state)) b.set(out(r.state[k] as NDArray), s.offset);
      }
    },
  };
}

export function float16Backend(name: string, once: boolean): AnyBackend {
  const b = {
    name,
    description: "float16 through the spec on Float64Array buffers (test backend)",
    dtypes: ["float16"] as Dtype[],
    promise: { kind: "exact" as const },
    mode: "sync" as const,
    memory: f64Memory,
    optimizers: {
      SGD: specKernel(OPTIMIZERS["SGD"]!, once),
      MomentumSGD: specKernel(OPTIMIZERS["MomentumSGD"]!, once),
    },
    hooks: {},
    reductions: js.reductions,
  };
  return b as unknown as AnyBackend;
}

// ------------------------------------------------------------------ Adam (float64) with one stage wrong

/**
 * Adam in float64 written out, with one stage wrong: `"eps-inside-sqrt"` computes
 * `alpha_t / sqrt(u + eps)`; `"bounds-t-minus-one"` computes AdaBound's bounds with `t − 1`;
 * `"beta1-power-late"` corrects alpha_t with `1 − beta1^(t−1)`.
 */
export function adam64With(
  mistake: "eps-inside-sqrt" | "bounds-t-minus-one" | "beta1-power-late",
): OptimizerKernel<unknown>["update"] {
  return (_d, b, segs) => {
    const { param: p, grad: g, state } = b as Bufs;
    const m = state["m"]!;
    const v = state["v"]!;
    const vhat = state["vhat"];
    for (const s of segs) {
      const hp = s.hp;
      const n = (k: string) => hp[k] as number;
      const at =
        mistake === "beta1-power-late"
          ? (n("alpha") * Math.sqrt(1 - pow(n("beta2"), s.t))) / (1 - pow(n("beta1"), s.t - 1))
          : alphaT(hp, s.t);
      const ams = hp["amsgrad"] === true;
      const bound = hp["adabound"] === true;
      const final = (n("final_lr") * n("alpha")) / (s.extras["initial_alpha"] ?? NaN);
      const tb = mistake === "bounds-t-minus-one" ? s.t - 1 : s.t;
      const lo = final * (1 - 1 / (n("gamma") * tb + 1));
      const hi = final * (1 + 1 / (n("gamma") * tb));
      const eta = n("eta");
      const a = 1.0 - eta * n("weight_decay_rate");
      for (let i = s.offset; i < s.offset + s.length; i++) {
        const gi = g[i]!;
        const mi = m[i]! + (1 - n("beta1")) * (gi - m[i]!);
        const vi = v[i]! + (1 - n("beta2")) * (gi * gi - v[i]!);
        m[i] = mi;
        v[i] = vi;
        let u = vi;
        if (ams && vhat !== undefined) {
          const h = vhat[i]!;
          u = h !== h ? h : vi !== vi ? vi : h >= vi ? h : vi;
          vhat[i] = u;
        }
        let step = mistake === "eps-inside-sqrt" ? at / Math.sqrt(u + n("eps")) : at / (Math.sqrt(u) + n("eps"));
        if (bound) {
          step = step !== step ? step : lo !== lo ? lo : step >= lo ? step : lo;
          step = step !== step ? step : hi !== hi ? hi : step <= hi ? step : hi;
        }
        const y = step * mi;
        p[i] = a === 1 ? p[i]! + -eta * y : a * p[i]! + -eta * y;
      }
    }
  };
}
