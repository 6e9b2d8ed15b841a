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

export const USAGE = `usage: npm run bench -- [--quick | --smoke] [--json out.json] [--chart path.svg | --no-chart]
  [--kernels Adam,SGD,WeightDecay] [--sizes 4096,65536] [--dtypes float32,float64] [--backends js]
  [--peers tfjs-cpu,tfjs-wasm | --no-peers] [--spec-sizes 4096 | --no-spec] [--many 1000x1024 | --no-many]
  [--state-machine Adam,SGD | --no-state-machine]
  [--warmup-ms 1000] [--min-samples 5] [--max-time 1] [--runs 3]`;

function defaults(mode: Mode): BenchOptions {
  const base = { mode, json: null, chart: "bench/chart.svg", backends: null, runs: 1 };
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
        chart: null,
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
  return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function positiveInts(flag: string, v: string): number[] {
  const out = list(v).map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${flag}: expected positive integers, got ${v}`);
  return out;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`${flag}: expected a non-negative number, got ${v}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const mode: Mode = argv.includes("--smoke") ? "smoke" : argv.includes("--quick") ? "quick" : "full";
  let o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = { ...defaults(mode) };
  let timing = { ...o.timing };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--smoke":
      case "--quick":
      case "--full":
        break;
      case "--json": o.json = value(); break;
      case "--chart": o.chart = value(); break;
      case "--no-chart": o.chart = null; break;
      case "--kernels": o.kernels = list(value()); break;
      case "--sizes": o.sizes = positiveInts(flag, value()); break;
      case "--spec-sizes": o.specSizes = positiveInts(flag, value()); break;
      case "--no-spec": o.specSizes = []; break;
      case "--dtypes": {
        const d = list(value());
        for (const x of d) if (x !== "float32" && x !== "float64") throw new Error(`--dtypes: ${x} is not float32 or float64`);
        o.dtypes = d as Dtype[];
        break;
      }
      case "--backends": o.backends = list(value()); break;
      case "--peers": {
        const p = list(value());
        for (const x of p) if (!PEERS.includes(x as PeerName)) throw new Error(`--peers: ${x} is not one of ${PEERS.join(", ")}`);
        o.peers = p as PeerName[];
        break;
      }
      case "--no-peers": o.peers = []; break;
      case "--many": {
        const m = /^(\d+)x(\d+)$/.exec(value());
        if (m === null) throw new Error("--many: expected TENSORSxLENGTH, e.g. 1000x1024");
        o.many = { tensors: Number(m[1]), length: Number(m[2]) };
        break;
      }
      case "--no-many": o.many = null; break;
      case "--state-machine": o.stateMachine = list(value()); break;
      case "--no-state-machine": o.stateMachine = []; break;
      case "--runs": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error("--runs: expected a positive integer");
        o.runs = n;
        break;
      }
      case "--warmup-ms": timing = { ...timing, warmupMs: positive(flag, value()) }; break;
      case "--min-samples": timing = { ...timing, minSamples: Math.max(2, Math.round(positive(flag, value()))) }; break;
      case "--max-time": timing = { ...timing, maxTimeS: positive(flag, value()) }; break;
      case "--help":
      case "-h":
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  o = { ...o, timing };
  return o;
}
