/**
 * The shape of a benchmark run as written by `npm run bench -- --json out.json`, and the derived
 * figures every row carries. `bench:compare` reads two of these.
 */
import type { Dtype } from "../spec/index.js";

/** What a timing gives: benchmark.js's figures plus the warm-up it was preceded by. */
export interface Measurement {
  /** Operations (kernel calls, optimizer steps) per second. */
  readonly opsPerSec: number;
  /** Relative margin of error of the mean at 95%, in percent (benchmark.js `stats.rme`). */
  readonly rmePct: number;
  /** Samples benchmark.js took (each sample is many back-to-back calls when calls are short). */
  readonly samples: number;
  /** Mean time per operation in milliseconds. */
  readonly meanMs: number;
  /** Calls made during the warm-up before sampling. */
  readonly warmupCalls: number;
}

/**
 * How the work was run:
 * - `roofline`: the Wasm SIMD triad (bench/wasm-triad.ts);
 * - `kernel`: a backend's kernel called directly (one call, `tensors` segments);
 * - `state-machine`: a resident run's whole `update()` over a model (backends/resident);
 * - `raw-calls`: the backend calls that same step needs, called directly (the state machine's floor);
 * - `spec`: the reference spec itself (the slow baseline, small sizes only);
 * - `peer`: TensorFlow.js.
 */
export type Via = "roofline" | "kernel" | "state-machine" | "raw-calls" | "spec" | "peer";

export interface BenchRow extends Measurement {
  /** Unique key across runs: `${via}:${backend}/${variant}/${dtype}/${shape}`. */
  readonly id: string;
  readonly via: Via;
  /** "js", "spec", "wasm-triad", "tfjs-cpu", "tfjs-wasm", … */
  readonly backend: string;
  /** The backend kernel called ("Adam" for the whole Adam family), hook kind, or peer op. */
  readonly kernel: string;
  /** What was benchmarked: optimizer name, hook kind, or "triad". */
  readonly variant: string;
  readonly category: "optimizer" | "hook" | "roofline";
  readonly dtype: Dtype;
  /** Elements updated per operation (all tensors together). */
  readonly elements: number;
  /** Tensors per operation: segments of one kernel call, parameters of a model, or variables. */
  readonly tensors: number;
  /** `${elements}` or `${tensors}x${elements / tensors}`. */
  readonly shape: string;
  readonly elementsPerSec: number;
  /** From bench/bytes.ts. */
  readonly bytesPerElement: number;
  /** bytesPerElement × elementsPerSec / 1e9. */
  readonly gbps: number;
  /** The triad's GB/s at the same dtype and element count, measured in the same run. */
  readonly rooflineGBps: number | null;
  /** gbps / rooflineGBps (in-place kernels pay no write-allocate, so above 1 is possible). */
  readonly rooflineFraction: number | null;
  /** True when an ArrayBuffer had been detached in this process before this row was timed. */
  readonly afterDetach: boolean;
  /** Our time over the peer's time for the same work, by peer backend (below 1: we are faster). */
  readonly peerTimeRatio: Readonly<Record<string, number>>;
  /** A state-machine row: its time over the `raw-calls` row of the same step (1 = no overhead). */
  readonly rawCallsRatio?: number;
  readonly note?: string;
  /**
   * In a merged file (bench/merge.ts): how many runs had this row. opsPerSec is then their median
   * and rmePct the larger of their largest rme and their half-range around the median, in percent.
   */
  readonly runs?: number;
}

export interface BenchEnv {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryGiB: number;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
  readonly date: string;
  readonly benchmarkJs: string;
  readonly tfjs: string | null;
  /** The TF.js wasm binary used ("simd", "plain"), threads, when TF.js wasm ran. */
  readonly tfjsWasm: { readonly simd: boolean; readonly threads: number } | null;
}

export interface BenchReport {
  readonly schema: "optspec-bench/1";
  readonly mode: string;
  readonly argv: readonly string[];
  readonly env: BenchEnv;
  readonly settings: Readonly<Record<string, unknown>>;
  /** Backends found and where from ("registry" or "direct import"), and those skipped, with why. */
  readonly backends: readonly {
    readonly name: string;
    readonly source: string;
    readonly skipped?: string;
    readonly device?: string;
  }[];
  readonly results: readonly BenchRow[];
  readonly wallSeconds: number;
  /** In a merged file: how many runs were merged. */
  readonly runs?: number;
}

export function shapeLabel(elements: number, tensors: number): string {
  return tensors === 1 ? String(elements) : `${tensors}x${elements / tensors}`;
}

export function rowId(via: Via, backend: string, variant: string, dtype: Dtype, shape: string): string {
  return `${via}:${backend}/${variant}/${dtype}/${shape}`;
}

/** The fields every result row must carry (the smoke test checks them). */
export const ROW_FIELDS = [
  "id",
  "via",
  "backend",
  "kernel",
  "variant",
  "category",
  "dtype",
  "elements",
  "tensors",
  "shape",
  "opsPerSec",
  "rmePct",
  "samples",
  "meanMs",
  "warmupCalls",
  "elementsPerSec",
  "bytesPerElement",
  "gbps",
  "rooflineGBps",
  "rooflineFraction",
  "afterDetach",
  "peerTimeRatio",
] as const;

export const ENV_FIELDS = ["node", "v8", "platform", "arch", "cpuModel", "cores", "gitCommit", "date"] as const;
