/**
 * Command-line options of `npm run bench`, and what each mode runs.
 *
 * - full (default): every optimizer and per-parameter hook kernel, float32 and float64, at 4,096,
 *   65,536, 1,048,576 and 16,777,216 elements, the 1,000 × 1,024 case, the spec at 4,096 and
 *   65,536, TF.js cpu and wasm.
 * - `--quick`: SGD, MomentumSGD, Adam and WeightDecay, float32, at 65,536 and 1,048,576, the
 *   1,000 × 1,024 case (the state machine for Adam only), the spec at 65,536, TF.js cpu and wasm;
 *   sampling stops sooner (under two minutes).
 * - `--smoke`: SGD float32 at 4,096 with minimal samples, no peers (for the test suite).
 *
 * Any mode can be narrowed or widened with `--kernels`, `--sizes`, `--dtypes`, `--backends`,
 * `--peers`, `--spec-sizes`, `--many`, `--state-machine`, and re-timed with `--warmup-ms`, `--min-samples`, `--max-time`.
 * `--runs N` runs the whole selection in N separate processes, one after another, and merges them.
 */
import { parseArgs as parseNodeArgs } from "node:util";
import type { Dtype } from "../spec/index.js";
import type { Timing } from "./harness.js";

export type Mode = "full" | "quick" | "smoke";
export type PeerName = "tfjs-cpu" | "tfjs-wasm";

export interface BenchOptions {
  readonly mode: Mode;
  readonly json: string | null;
  readonly chart: string | null;
  readonly sizes: readonly number[];
  readonly specSizes: readonly number[];
  readonly dtypes: readonly Dtype[];
  /** Optimizer names (spec registry) and hook kinds to run; null = all. */
  readonly kernels: readonly string[] | null;
  readonly backends: readonly string[] | null;
  /** The many-small-tensors case, or null to skip it. */
  readonly many: { readonly tensors: number; readonly length: number } | null;
  /** Optimizers whose spec state machine is timed over the many-small model (null: all selected). */
  readonly stateMachine: readonly string[] | null;
  readonly peers: readonly PeerName[];
  readonly timing: Timing;
  /** Separate processes to run and merge (bench/merge.ts); 1: this process runs the cases. */
  readonly runs: number;
}

export const ALL_SIZES = [4096, 65536, 1048576, 16777216] as const;
const QUICK_KERNELS = ["SGD", "MomentumSGD", "Adam", "WeightDecay"];
const PEERS: readonly PeerName[] = ["tfjs-cpu", "tfjs-wasm"];

/** Every option of `optspec bench`, for `node:util` `parseArgs` and for help. */
export const OPTIONS = {
  quick: { type: "boolean", help: "under two minutes: SGD, MomentumSGD, Adam, WeightDecay, float32" },
  smoke: { type: "boolean", help: "seconds: SGD float32 at 4,096 (what the test suite runs)" },
  full: { type: "boolean", help: "everything (the default; about 25 minutes on 2 cores)" },
  json: { type: "string", value: "FILE", help: "write the results as JSON" },
  chart: {
    type: "string",
    value: "FILE.svg",
    help: "write the chart here (default: next to --json, as .svg; none without --json)",
  },
  "no-chart": { type: "boolean", help: "write no chart" },
  kernels: { type: "string", value: "A,B", help: "optimizer names and hook kinds, e.g. Adam,SGD,WeightDecay" },
  sizes: { type: "string", value: "N,M", help: "element counts, e.g. 4096,65536" },
  dtypes: { type: "string", value: "D,E", help: "float32,float64" },
  backends: { type: "string", value: "A,B", help: "registered backend names" },
  peers: { type: "string", value: "A,B", help: "tfjs-cpu,tfjs-wasm" },
  "no-peers": { type: "boolean", help: "no TensorFlow.js peers" },
  "spec-sizes": { type: "string", value: "N,M", help: "sizes at which the spec itself is timed" },
  "no-spec": { type: "boolean", help: "do not time the spec" },
  many: { type: "string", value: "TxL", help: "the many-small-tensors case, e.g. 1000x1024" },
  "no-many": { type: "boolean", help: "skip the many-small-tensors case" },
  "state-machine": { type: "string", value: "A,B", help: "optimizers whose whole update() is timed" },
  "no-state-machine": { type: "boolean", help: "skip the state-machine rows" },
  "warmup-ms": { type: "string", value: "MS", help: "warm-up time per case (default 1000)" },
  "min-samples": { type: "string", value: "N", help: "minimum samples per case" },
  "max-time": { type: "string", value: "S", help: "maximum sampling time per case in seconds" },
  runs: { type: "string", value: "N", help: "run the selection in N separate processes and merge them" },
} as const satisfies Record<string, { type: "string" | "boolean"; value?: string; help: string }>;

function defaults(mode: Mode): BenchOptions {
  const base = { mode, json: null, chart: null, backends: null, runs: 1 };
  switch (mode) {
    case "full":
      return {
        ...base,
        sizes: [...ALL_SIZES],
        specSizes: [4096, 65536],
        dtypes: ["float32", "float64"],
        kernels: null,
        many: { tensors: 1000, length: 1024 },
        stateMachine: null,
        peers: PEERS,
        timing: { warmupMs: 1000, warmupCalls: 5, minSamples: 5, maxTimeS: 1, minTimeS: 0 },
      };
    case "quick":
      return {
        ...base,
        sizes: [65536, 1048576],
        specSizes: [65536],
        dtypes: ["float32"],
        kernels: QUICK_KERNELS,
        many: { tensors: 1000, length: 1024 },
        stateMachine: ["Adam"],
        peers: PEERS,
        timing: { warmupMs: 1000, warmupCalls: 2, minSamples: 4, maxTimeS: 0.3, minTimeS: 0 },
      };
    case "smoke":
      return {
        ...base,
        sizes: [4096],
        specSizes: [4096],
        dtypes: ["float32"],
        kernels: ["SGD"],
        many: null,
        stateMachine: [],
        peers: [],
        timing: { warmupMs: 20, warmupCalls: 2, minSamples: 2, maxTimeS: 0.02, minTimeS: 0.005 },
      };
  }
}

function list(v: string): string[] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function positiveInts(flag: string, v: string): number[] {
  const out = list(v).map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`${flag}: expected positive integers, got ${v}`);
  return out;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`${flag}: expected a non-negative number, got ${v}`);
  return n;
}

/** Options from argv (without `--help`, which the CLI handles); throws an Error naming the bad option. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const { values: v } = parseNodeArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  const mode: Mode = v.smoke ? "smoke" : v.quick ? "quick" : "full";
  const o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = { ...defaults(mode) };
  let timing = { ...o.timing };
  if (v.json !== undefined) o.json = v.json;
  // The chart goes where --chart says, else next to the JSON; never over the committed bench/chart.svg by default.
  o.chart = v["no-chart"] ? null : (v.chart ?? (o.json !== null ? o.json.replace(/\.json$/i, "") + ".svg" : null));
  if (v.kernels !== undefined) o.kernels = list(v.kernels);
  if (v.sizes !== undefined) o.sizes = positiveInts("--sizes", v.sizes);
  if (v["spec-sizes"] !== undefined) o.specSizes = positiveInts("--spec-sizes", v["spec-sizes"]);
  if (v["no-spec"]) o.specSizes = [];
  if (v.dtypes !== undefined) {
    const d = list(v.dtypes);
    for (const x of d)
      if (x !== "float32" && x !== "float64") throw new Error(`--dtypes: ${x} is not float32 or float64`);
    o.dtypes = d as Dtype[];
  }
  if (v.backends !== undefined) o.backends = list(v.backends);
  if (v.peers !== undefined) {
    const p = list(v.peers);
    for (const x of p)
      if (!PEERS.includes(x as PeerName)) throw new Error(`--peers: ${x} is not one of ${PEERS.join(", ")}`);
    o.peers = p as PeerName[];
  }
  if (v["no-peers"]) o.peers = [];
  if (v.many !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(v.many);
    if (m === null) throw new Error("--many: expected TENSORSxLENGTH, e.g. 1000x1024");
    o.many = { tensors: Number(m[1]), length: Number(m[2]) };
  }
  if (v["no-many"]) o.many = null;
  if (v["state-machine"] !== undefined) o.stateMachine = list(v["state-machine"]);
  if (v["no-state-machine"]) o.stateMachine = [];
  if (v.runs !== undefined) {
    const n = Number(v.runs);
    if (!Number.isInteger(n) || n < 1) throw new Error("--runs: expected a positive integer");
    o.runs = n;
  }
  if (v["warmup-ms"] !== undefined) timing = { ...timing, warmupMs: positive("--warmup-ms", v["warmup-ms"]) };
  if (v["min-samples"] !== undefined)
    timing = { ...timing, minSamples: Math.max(2, Math.round(positive("--min-samples", v["min-samples"]))) };
  if (v["max-time"] !== undefined) timing = { ...timing, maxTimeS: positive("--max-time", v["max-time"]) };
  return { ...o, timing };
}
