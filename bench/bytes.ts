/**
 * THE table of memory traffic per element: what each kernel must read and write, each array
 * counted once (the kernels work in place, so there is no write-allocate). Bytes per element are
 * (reads + writes) × the dtype's size: 4 for float32, 8 for float64 (float64 doubles every row).
 * Achieved GB/s and the roofline fraction in every result come from this table.
 *
 * | kernel                      | reads               | writes            | float32 B | float64 B |
 * |-----------------------------|---------------------|-------------------|-----------|-----------|
 * | SGD                         | p, g                | p                 | 12        | 24        |
 * | MomentumSGD                 | p, g, v             | p, v              | 20        | 40        |
 * | CorrectedMomentumSGD        | p, g, v             | p, v              | 20        | 40        |
 * | NesterovAG                  | p, g, v             | p, v              | 20        | 40        |
 * | AdaGrad                     | p, g, h             | p, h              | 20        | 40        |
 * | RMSprop                     | p, g, ms            | p, ms             | 20        | 40        |
 * | Adam, AdamW, AdaBound       | p, g, m, v          | p, m, v           | 28        | 56        |
 * | AMSGrad, AMSBound (+ vhat)  | p, g, m, v, vhat    | p, m, v, vhat     | 36        | 72        |
 * | AdaDelta                    | p, g, msg, msdx     | p, msg, msdx      | 28        | 56        |
 * | MSVAG                       | p, g, m, v          | p, m, v           | 28        | 56        |
 * | RMSpropGraves               | p, g, n, g, delta   | p, n, g, delta    | 36        | 72        |
 * | SMORMS3                     | p, g, mem, g, g2    | p, mem, g, g2     | 36        | 72        |
 * | WeightDecay                 | p, g                | g                 | 12        | 24        |
 * | Lasso                       | p, g                | g                 | 12        | 24        |
 * | GradientHardClipping        | g                   | g                 | 8         | 16        |
 * | GradientLARS (apply)        | p, g                | g                 | 12        | 24        |
 * | GradientNoise (add)         | g, noise            | g                 | 12        | 24        |
 * | triad (the roofline)        | b, c                | a                 | 12        | 24        |
 *
 * An optimizer without a row here is counted by the rule every row above follows: it reads p, g
 * and each state entry, and writes p and each state entry ((3 + 2·states) × size).
 * GradientLARS's two norms (reductions) and GradientNoise's draw are outside the kernel timed.
 */
import { type Dtype, type OptimizerDef, itemSize } from "../spec/index.js";
import { HOOKS, hyperparamsFor } from "./workload.js";

export interface Traffic {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

const plus = (states: readonly string[]): Traffic => ({ reads: ["p", "g", ...states], writes: ["p", ...states] });
/** A per-parameter hook reads g and what its description lists (`param` as p, `noise`), writes g. */
const hook = (reads: readonly ("param" | "noise")[]): Traffic => ({
  reads: [...(reads.includes("param") ? ["p"] : []), "g", ...(reads.includes("noise") ? ["noise"] : [])],
  writes: ["g"],
});

/** Traffic by benchmarked variant name (optimizer name, hook kind, or "triad"). */
export const TRAFFIC: Readonly<Record<string, Traffic>> = {
  SGD: plus([]),
  MomentumSGD: plus(["v"]),
  CorrectedMomentumSGD: plus(["v"]),
  NesterovAG: plus(["v"]),
  AdaGrad: plus(["h"]),
  RMSprop: plus(["ms"]),
  Adam: plus(["m", "v"]),
  AdamW: plus(["m", "v"]),
  AdaBound: plus(["m", "v"]),
  AMSGrad: plus(["m", "v", "vhat"]),
  AMSBound: plus(["m", "v", "vhat"]),
  AdaDelta: plus(["msg", "msdx"]),
  MSVAG: plus(["m", "v"]),
  RMSpropGraves: plus(["n", "g", "delta"]),
  SMORMS3: plus(["mem", "g", "g2"]),
  ...Object.fromEntries(HOOKS.map((h) => [h.kind.kind, hook(h.desc.reads)])),
  triad: { reads: ["b", "c"], writes: ["a"] },
};

const bytes = (t: Traffic, dtype: Dtype): number => (t.reads.length + t.writes.length) * itemSize(dtype);

/** Bytes a kernel must move per element, or undefined when the table has no row for it. */
export function bytesPerElement(variant: string, dtype: Dtype): number | undefined {
  const t = TRAFFIC[variant];
  return t === undefined ? undefined : bytes(t, dtype);
}

/** The traffic an optimizer's update must move: its table row, or the rule from its state keys. */
export function optimizerTraffic(def: OptimizerDef): Traffic {
  const row = TRAFFIC[def.name];
  if (row !== undefined) return row;
  return plus(
    Object.keys(def.initState({ dtype: "float32", shape: [0], data: new Float64Array(0) }, hyperparamsFor(def))),
  );
}

export function optimizerBytes(def: OptimizerDef, dtype: Dtype): number {
  return bytes(optimizerTraffic(def), dtype);
}
