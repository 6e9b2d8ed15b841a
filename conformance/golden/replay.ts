/**
 * Replay every case of every file of a golden directory. Files and case ids not seen before are
 * handled generically: a case is passed, failed, or unsupported (with the reason), never skipped.
 */
import { type Job, runAsync, runSync } from "../../backends/resident/job.js";
import { join } from "node:path";
import { update } from "../../spec/index.js";
import { Unsupported } from "./build.js";
import { caseFiles, type GoldenSource, readGoldenDir } from "./source.js";
import type { Difference } from "./compare.js";
import type { GoldenCallSequence, GoldenCase, GoldenStructure, GoldenTrajectory } from "./format.js";
import { replayTrajectory, type UpdateEngine } from "./replay-trajectory.js";
import { replayCallSequence } from "./replay-calls.js";

export interface CaseResult {
  readonly file: string;
  readonly id: string;
  readonly status: "passed" | "failed" | "unsupported";
  readonly failures: readonly (Difference & { step?: number })[];
  readonly reason?: string;
}

/** Replays one case: its differences (as a job, so that an asynchronous engine can be awaited). */
export type CaseHandler = (c: GoldenCase, meta: GoldenFileMeta, engine: UpdateEngine) => Job<(Difference & { step?: number })[]>;

export interface CaseHandlers {
  /** Extra case kinds (serialization registers itself here). */
  readonly [kind: string]: CaseHandler;
}

export interface GoldenFileMeta {
  readonly link_structure?: GoldenStructure;
  readonly [k: string]: unknown;
}

export const SPEC_ENGINE: UpdateEngine = { name: "spec", update };

const handlers: Record<string, CaseHandler> = {
  trajectory: (c, _m, e) => replayTrajectory(c as GoldenTrajectory, e),
  // oxlint-disable-next-line require-yield -- a handler is a generator by contract; this one runs synchronously
  call_sequence: function* (c, m) {
    return replayCallSequence(c as GoldenCallSequence, m.link_structure);
  },
};

/** Register a handler for a case kind (used by the serialization replay). */
export function registerCaseHandler(kind: string, h: CaseHandler): void {
  handlers[kind] = h;
}

/** Paths of the case files of a directory (Node only). */
export function listGoldenFiles(dir: string): string[] {
  return caseFiles(readGoldenDir(dir)).map((p) => join(dir, p));
}

export function* replayCase(c: GoldenCase, file: string, meta: GoldenFileMeta, engine: UpdateEngine): Job<CaseResult> {
  const h = handlers[c.kind];
  if (h === undefined) return { file, id: c.id, status: "unsupported", failures: [], reason: `case kind ${c.kind} is not supported yet` };
  try {
    const failures = yield* h(c, meta, engine);
    return { file, id: c.id, status: failures.length === 0 ? "passed" : "failed", failures };
  } catch (err) {
    if (err instanceof Unsupported) return { file, id: c.id, status: "unsupported", failures: [], reason: err.message };
    return { file, id: c.id, status: "failed", failures: [{ what: "replay", detail: `crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` }] };
  }
}

/** Replay every case of a directory on a synchronous engine (the spec by default). */
export function replayDirectory(dir: string, engine: UpdateEngine = SPEC_ENGINE, filter?: (id: string) => boolean): CaseResult[] {
  return replaySource(readGoldenDir(dir), engine, filter);
}

/** Replay every case of a golden source (a directory read from disk, or files fetched over HTTP) on a synchronous engine. */
export function replaySource(src: GoldenSource, engine: UpdateEngine = SPEC_ENGINE, filter?: (id: string) => boolean): CaseResult[] {
  return runSync(replaySourceJob(src, engine, filter), engine.name);
}

/** Replay every case of a golden source on any engine (awaited where it returns promises). */
export function replaySourceAsync(src: GoldenSource, engine: UpdateEngine, filter?: (id: string) => boolean): Promise<CaseResult[]> {
  return runAsync(replaySourceJob(src, engine, filter));
}

function* replaySourceJob(src: GoldenSource, engine: UpdateEngine, filter?: (id: string) => boolean): Job<CaseResult[]> {
  const results: CaseResult[] = [];
  const indexText = src.files.get("index.json");
  const index = indexText !== undefined ? (JSON.parse(indexText) as GoldenFileMeta) : {};
  for (const file of caseFiles(src)) {
    const doc = JSON.parse(src.files.get(file) as string) as GoldenFileMeta & { cases?: GoldenCase[] };
    // Call sequences run on the directory's standard link: the file's, the index's, or a trajectory's.
    const firstLink = (doc.cases ?? []).find((c): c is GoldenTrajectory => "link" in c)?.link.structure;
    const linkStructure = doc.link_structure ?? index.link_structure ?? firstLink;
    const meta: GoldenFileMeta = linkStructure === undefined ? doc : { ...doc, link_structure: linkStructure };
    for (const c of doc.cases ?? []) {
      if (filter && !filter(c.id)) continue;
      results.push(yield* replayCase(c, file, meta, engine));
    }
  }
  return results;
}

export function formatFailure(r: CaseResult, f: Difference & { step?: number }): string {
  const step = f.step === undefined ? "" : ` step ${f.step}`;
  const clause = f.clause === undefined ? "" : ` [${f.clause}]`;
  const ulp = f.ulp === undefined ? "" : ` (${f.ulp === Infinity ? "NaN vs number" : `${f.ulp} ulp`})`;
  return `FAIL ${r.id}${step}: ${f.what}: ${f.detail}${ulp}${clause}`;
}

export function summarize(results: readonly CaseResult[]): { passed: number; failed: number; unsupported: number } {
  return {
    passed: results.filter((r) => r.status === "passed").length,
    failed: results.filter((r) => r.status === "failed").length,
    unsupported: results.filter((r) => r.status === "unsupported").length,
  };
}
