/**
 * The decoders under fuzzing: each input goes to its loader (Chainer npz into a set-up optimizer,
 * lossless npz, lossless JSON) and is classified:
 *
 * - `loaded`: a state came back, the receiving state is unchanged, and the loaded state is whole
 *   (it passes the API's invariants and survives `fromJSON(toJSON(·))` bit for bit);
 * - `refused`: a `SerializationError` (the loaders' only documented errors);
 * - `crashed`: anything else was thrown;
 * - `partial`: a state came back that is not whole, or the receiving state changed;
 * - `hung`: (counted besides the above) the call used more than `hangMs` of CPU time (CPU, not
 *   wall time, so that a machine shared with other work does not make inputs look hung).
 */
import { type OptimizerState, SerializationError, fromJSON, loadLossless, loadNpz, toJSON } from "../../spec/index.js";
import { stateProblem } from "../../spec/invariants.js";
import { type Seed, type Target, referenceStates, seeds } from "./corpus.js";
import { mutateBytes, mutateJson, mutateMember } from "./mutate.js";
import { Rng } from "./random.js";

export type Outcome = "loaded" | "refused" | "crashed" | "partial";

export interface FuzzFinding {
  readonly target: Target;
  readonly seed: string;
  readonly outcome: Outcome | "hung";
  readonly detail: string;
  /** The input, base64 (bytes) or as text, cut to 4 KiB. */
  readonly input: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly inputs: number;
  readonly loaded: number;
  readonly refused: number;
  readonly crashed: number;
  readonly hung: number;
  readonly partial: number;
  readonly byTarget: Readonly<Record<Target, { inputs: number; loaded: number; refused: number }>>;
  /** The most CPU time one input took. */
  readonly slowestMs: number;
  readonly peakRssMiB: number;
  readonly seconds: number;
  readonly findings: readonly FuzzFinding[];
}

export interface FuzzOptions {
  readonly inputs: number;
  readonly seed?: number;
  /** A call using more CPU time than this counts as hung (default 2000 ms). */
  readonly hangMs?: number;
  readonly onProgress?: (done: number, report: FuzzReport) => void;
}

interface Context {
  readonly receiver: OptimizerState;
  readonly receiverText: string;
}

/** Whether a loaded state is whole: invariants hold and it survives the lossless round trip. */
function wholeProblem(s: OptimizerState): string | null {
  const bad = stateProblem(s);
  if (bad !== null) return `loaded state breaks an invariant at ${bad.at}: expected ${bad.expected}, got ${bad.got}`;
  try {
    const text = toJSON(s);
    if (toJSON(fromJSON(text)) !== text) return "loaded state does not survive fromJSON(toJSON(·))";
  } catch (e) {
    return `loaded state cannot be re-encoded: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}

/** Run one input through its loader and classify the result. */
export function fuzzOne(
  target: Target,
  input: Uint8Array | string,
  ctx: Context,
): { outcome: Outcome; detail: string } {
  let loaded: OptimizerState;
  try {
    if (target === "json") loaded = fromJSON(typeof input === "string" ? input : new TextDecoder().decode(input));
    else if (target === "lossless-npz")
      loaded = loadLossless(typeof input === "string" ? new TextEncoder().encode(input) : input);
    else loaded = loadNpz(ctx.receiver, typeof input === "string" ? new TextEncoder().encode(input) : input);
  } catch (e) {
    if (target === "npz" && toJSON(ctx.receiver) !== ctx.receiverText)
      return { outcome: "partial", detail: "the receiving state changed" };
    if (e instanceof SerializationError) return { outcome: "refused", detail: e.message.slice(0, 300) };
    return { outcome: "crashed", detail: e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : String(e) };
  }
  if (target === "npz" && toJSON(ctx.receiver) !== ctx.receiverText)
    return { outcome: "partial", detail: "the receiving state changed" };
  const bad = wholeProblem(loaded);
  return bad === null ? { outcome: "loaded", detail: "" } : { outcome: "partial", detail: bad };
}

function show(input: Uint8Array | string): string {
  return typeof input === "string" ? input.slice(0, 4096) : Buffer.from(input.subarray(0, 4096)).toString("base64");
}

/** One mutated input from the seeds. */
function nextInput(
  rng: Rng,
  pool: readonly Seed[],
  donors: readonly Uint8Array[],
): { seed: Seed; target: Target; input: Uint8Array | string } {
  const seed = rng.pick(pool);
  // Now and then an input goes to another loader than its own.
  const target: Target = rng.next() < 0.05 ? rng.pick(["npz", "lossless-npz", "json"] as const) : seed.target;
  const r = rng.next();
  if (typeof seed.input === "string")
    return { seed, target, input: r < 0.02 ? seed.input : mutateJson(rng, seed.input) };
  if (r < 0.02) return { seed, target, input: seed.input };
  if (r < 0.6) {
    const m = mutateMember(rng, seed.input, donors);
    if (m !== null) return { seed, target, input: m };
  }
  return { seed, target, input: mutateBytes(rng, seed.input, donors) };
}

/** Fuzz the loaders with `inputs` seeded mutations. */
export function runFuzz(options: FuzzOptions): FuzzReport {
  const seed = options.seed ?? 1;
  const hangMs = options.hangMs ?? 2000;
  const rng = new Rng(seed);
  const pool = seeds();
  const donors = pool.flatMap((s) => (typeof s.input === "string" ? [] : [s.input]));
  const { receiver } = referenceStates();
  const ctx: Context = { receiver, receiverText: toJSON(receiver) };
  const counts = { loaded: 0, refused: 0, crashed: 0, partial: 0, hung: 0 };
  const byTarget = {
    npz: { inputs: 0, loaded: 0, refused: 0 },
    "lossless-npz": { inputs: 0, loaded: 0, refused: 0 },
    json: { inputs: 0, loaded: 0, refused: 0 },
  };
  const findings: FuzzFinding[] = [];
  let slowest = 0;
  const t0 = performance.now();
  const report = (done: number): FuzzReport => ({
    seed,
    inputs: done,
    ...counts,
    byTarget,
    slowestMs: Math.round(slowest),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    findings,
  });
  for (let i = 0; i < options.inputs; i++) {
    const { seed: s, target, input } = nextInput(rng, pool, donors);
    const start = process.cpuUsage();
    const { outcome, detail } = fuzzOne(target, input, ctx);
    const used = process.cpuUsage(start);
    const ms = (used.user + used.system) / 1000;
    slowest = Math.max(slowest, ms);
    counts[outcome]++;
    byTarget[target].inputs++;
    if (outcome === "loaded" || outcome === "refused") byTarget[target][outcome]++;
    if (ms > hangMs) {
      counts.hung++;
      if (findings.length < 50)
        findings.push({ target, seed: s.name, outcome: "hung", detail: `${Math.round(ms)} ms`, input: show(input) });
    }
    if ((outcome === "crashed" || outcome === "partial") && findings.length < 50)
      findings.push({ target, seed: s.name, outcome, detail, input: show(input) });
    if (options.onProgress !== undefined && (i + 1) % 1000 === 0) options.onProgress(i + 1, report(i + 1));
  }
  return report(options.inputs);
}
