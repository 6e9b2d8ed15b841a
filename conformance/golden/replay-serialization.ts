/**
 * Replay of `kind: "serialization"` golden cases: the run before saving, Chainer's npz key layout
 * and npy bytes, loading Chainer's own archive into a fresh optimizer (or failing as Chainer
 * fails), and the runs that continue from both.
 */
import { type Job, runSync } from "../../backends/resident/job.js";
import {
  type NDArray,
  type OptimizerState,
  OptspecError,
  bitEqual,
  newEpoch,
  saveChainer,
  loadNpz,
} from "../../spec/index.js";
import { encodeNpy, isNpyNone } from "../../spec/serialization/npy.js";
import { readZip } from "../../spec/serialization/zip.js";
import { buildTrajectory } from "./build.js";
import { compareArrays, compareSnapshot, type Difference } from "./compare.js";
import { decodeArray, type GoldenArray } from "./encoding.js";
import type { GoldenError, GoldenSnapshot, GoldenStep, GoldenTrajectory } from "./format.js";
import { registerCaseHandler, type GoldenFileMeta } from "./replay.js";
import { replaySteps, type UpdateEngine } from "./replay-trajectory.js";

export interface GoldenNpzKey {
  readonly key: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly value: GoldenArray;
}

export interface GoldenLoad {
  readonly fresh_optimizer_disabled_rules: readonly string[];
  readonly load_error?: GoldenError;
  readonly restored?: GoldenSnapshot;
  readonly identical_to_original_per_step?: readonly boolean[];
  readonly continued_loaded?: readonly GoldenStep[] | string | null;
}

export interface GoldenSerialization extends Omit<GoldenTrajectory, "kind"> {
  readonly kind: "serialization";
  readonly new_epoch_calls_before_save?: number;
  readonly npz: { readonly keys: readonly GoldenNpzKey[]; readonly base64: string; readonly sha256?: string; readonly size?: number };
  readonly continued_original: readonly GoldenStep[];
  readonly loads: readonly GoldenLoad[];
}

type Failure = Difference & { step?: number };

const IDENTICAL = "identical to continued_original";

/** Base64 to bytes with `atob` (global in Node ≥ 16 and every browser), so the replay also runs in a browser. */
function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Our entries against the golden key list: keys, order, dtypes, shapes, bits. */
function compareEntries(c: GoldenSerialization, state: OptimizerState): Failure[] {
  const out: Failure[] = [];
  let ours;
  try {
    ours = saveChainer(state);
  } catch (err) {
    return [{ what: "save", detail: `raised ${err instanceof Error ? err.message : String(err)}`, clause: "serialization.chainer.key-order" }];
  }
  const expKeys = c.npz.keys.map((k) => k.key);
  const ourKeys = ours.map((e) => e.key);
  if (expKeys.join("\n") !== ourKeys.join("\n")) {
    out.push({ what: "npz keys", detail: `[${ourKeys.join(", ")}], expected [${expKeys.join(", ")}]`, clause: "serialization.chainer.key-order" });
  }
  for (const k of c.npz.keys) {
    const e = ours.find((x) => x.key === k.key);
    if (e === undefined) continue;
    const what = `npz ${k.key}`;
    if (isNpyNone(e.array)) {
      out.push({ what, detail: "None, expected an array", clause: "serialization.chainer.save-values" });
      continue;
    }
    if (e.array.dtype !== k.dtype || e.array.shape.join(",") !== k.shape.join(",")) {
      out.push({ what, detail: `${e.array.dtype} (${e.array.shape.join(", ")}), expected ${k.dtype} (${k.shape.join(", ")})`, clause: "serialization.chainer.save-values" });
      continue;
    }
    if (k.value.bits === undefined) {
      const words = (k.value.values ?? "").split(" ").filter((w) => w !== "");
      const actual = Array.from(e.array.data as ArrayLike<number | bigint>, (x) => String(x));
      if (words.join(" ") !== actual.join(" ")) out.push({ what, detail: `${actual.join(" ")}, expected ${words.join(" ")}`, clause: "serialization.chainer.save-values" });
    } else {
      const d = compareArrays(what, decodeArray(k.value), e.array as NDArray, "serialization.chainer.save-values");
      if (d !== null) out.push(d);
    }
  }
  // The npy bytes Chainer wrote (inflated members of its archive) against ours.
  let members;
  try {
    members = readZip(base64Bytes(c.npz.base64));
  } catch (err) {
    return [...out, { what: "golden npz", detail: `unreadable: ${err instanceof Error ? err.message : String(err)}` }];
  }
  const memberNames = members.map((m) => m.name);
  if (memberNames.join("\n") !== ourKeys.map((k) => `${k}.npy`).join("\n")) {
    out.push({ what: "npz members", detail: `Chainer's archive has [${memberNames.join(", ")}], we write [${ourKeys.map((k) => `${k}.npy`).join(", ")}]`, clause: "serialization.chainer.key-order" });
  }
  for (const m of members) {
    const e = ours.find((x) => `${x.key}.npy` === m.name);
    if (e === undefined) continue;
    const bytes = encodeNpy(e.array);
    if (bytes.length !== m.data.length || bytes.some((b, i) => b !== m.data[i])) {
      const at = bytes.findIndex((b, i) => b !== m.data[i]);
      out.push({ what: `npy bytes ${m.name}`, detail: `differ at byte ${at < 0 ? Math.min(bytes.length, m.data.length) : at} (${bytes.length} bytes, Chainer wrote ${m.data.length})`, clause: "serialization.npy.encode" });
    }
  }
  return out;
}

/** Params, rule t and rule states bitwise equal (the golden `identical_to_original_per_step`). */
function identical(a: OptimizerState, b: OptimizerState): boolean {
  const pa = a.target?.params ?? {};
  const pb = b.target?.params ?? {};
  for (const [path, p] of Object.entries(pa)) {
    const q = pb[path];
    if (q === undefined || (p.data === null) !== (q.data === null) || (p.data !== null && !bitEqual(p.data, q.data as NDArray))) return false;
  }
  for (const [path, r] of Object.entries(a.rules)) {
    const o = b.rules[path];
    if (o === undefined || o.t !== r.t || (r.state === null) !== (o.state === null)) return false;
    if (r.state !== null && o.state !== null) {
      const ka = Object.keys(r.state);
      if (ka.join(",") !== Object.keys(o.state).join(",")) return false;
      if (ka.some((k) => !bitEqual(r.state?.[k] as NDArray, o.state?.[k] as NDArray))) return false;
    }
  }
  return true;
}

function describeError(err: unknown): string {
  if (err instanceof OptspecError) return `${err.chainer.type}: ${err.chainer.str} (${err.message})`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The serialization replay as a job (asynchronous engines are awaited per update). */
export function* replaySerializationJob(c: GoldenSerialization, engine: UpdateEngine): Job<Failure[]> {
  const failures: Failure[] = [];
  const start = buildTrajectory({ ...c, kind: "trajectory" });
  const before = yield* replaySteps(start, c, c.steps, engine);
  failures.push(...before.failures);
  if (before.stopped) return failures;
  let original = before.state;
  for (let i = 0; i < (c.new_epoch_calls_before_save ?? 0); i++) original = newEpoch(original);
  const nSteps = c.steps.length;
  failures.push(...compareEntries(c, original).map((d) => ({ ...d, step: nSteps })));

  // The original continues.
  const cont = yield* replaySteps(original, c, c.continued_original, engine, nSteps);
  failures.push(...cont.failures);

  // The parameters at save time, as Chainer had them (the golden snapshot of the last step).
  const last = c.steps[c.steps.length - 1];
  const savedParams: Record<string, GoldenArray> = last?.after.params ?? c.initial.params;
  const archive = base64Bytes(c.npz.base64);
  for (const [li, load] of c.loads.entries()) {
    const tag = (d: Difference, step?: number): Failure => ({ ...d, what: `load ${li}: ${d.what}`, ...(step === undefined ? {} : { step }) });
    const fresh = buildTrajectory({
      ...c,
      kind: "trajectory",
      initial: { ...c.initial, params: savedParams },
      disabled_rules: load.fresh_optimizer_disabled_rules,
    });
    let loaded: OptimizerState;
    try {
      loaded = loadNpz(fresh, archive);
    } catch (err) {
      if (load.load_error === undefined) {
        failures.push(tag({ what: "load_npz", detail: `unexpected ${describeError(err)}`, clause: "serialization.chainer.load.order" }));
      } else if (!(err instanceof OptspecError) || err.chainer.type !== load.load_error.type || err.chainer.str !== load.load_error.str) {
        failures.push(tag({ what: "load_npz error", detail: `${describeError(err)}, expected ${load.load_error.type}: ${load.load_error.str}`, ...(err instanceof OptspecError ? { clause: err.clause } : {}) }));
      }
      continue;
    }
    if (load.load_error !== undefined) {
      failures.push(tag({ what: "load_npz", detail: `loaded, expected ${load.load_error.type}: ${load.load_error.str}`, clause: "serialization.chainer.load.strict" }));
      continue;
    }
    if (load.restored !== undefined) for (const d of compareSnapshot(loaded, load.restored, undefined)) failures.push(tag(d, nSteps));
    const steps = load.continued_loaded === IDENTICAL ? c.continued_original : load.continued_loaded;
    if (typeof steps === "string") {
      failures.push(tag({ what: "continued_loaded", detail: `unknown marker ${JSON.stringify(steps)}` }));
      continue;
    }
    if (steps === undefined || steps === null) continue;
    // Step by step, so that we can also check where the two runs agree bitwise.
    let a = loaded;
    let b = original;
    for (const [i, step] of steps.entries()) {
      const r = yield* replaySteps(a, c, [step], engine, nSteps + i);
      failures.push(...r.failures.map((d) => tag(d)));
      if (r.stopped) break;
      a = r.state;
      const o = c.continued_original[i];
      if (o !== undefined && load.identical_to_original_per_step !== undefined) {
        b = (yield* replaySteps(b, c, [o], engine, nSteps + i)).state;
        const exp = load.identical_to_original_per_step[i];
        if (exp !== undefined && identical(a, b) !== exp) {
          failures.push(tag({ what: "identical to the original", detail: `${!exp}, expected ${exp}`, clause: "serialization.chainer.lossy" }, nSteps + i));
        }
      }
    }
  }
  return failures;
}

/** The serialization replay on a synchronous engine. */
export function replaySerialization(c: GoldenSerialization, engine: UpdateEngine): Failure[] {
  return runSync(replaySerializationJob(c, engine), engine.name);
}

registerCaseHandler("serialization", (c: { readonly id: string; readonly kind: string }, _meta: GoldenFileMeta, engine: UpdateEngine) =>
  replaySerializationJob(c as GoldenSerialization, engine),
);
