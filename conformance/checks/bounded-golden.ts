/**
 * The golden trajectories (recorded from real Chainer) on a backend with a derived promise: each
 * step starts from the backend's own previous state (its snapshot), the spec's update of that
 * state is evaluated in interval arithmetic, and the backend's resident run must land inside, for
 * every parameter and state array. Steps where Chainer raises are the spec's to decide (the case
 * stops there); bit-exact agreement with the recording is the exact backends' check.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { AnyBackend, ArithmeticPromise } from "../../backends/contract.js";
import { ResidentRun } from "../../backends/resident/index.js";
import {
  type LossFunction,
  type OptimizerState,
  getOptimizerDef,
  setGrads,
  update,
  withNumerics,
} from "../../spec/index.js";
import { buildTrajectory } from "../golden/build.js";
import { decodeArray } from "../golden/encoding.js";
import { goldenLoss } from "../golden/fixtures.js";
import type { GoldenTrajectory } from "../golden/format.js";
import { listGoldenFiles } from "../golden/replay.js";
import { applyActions } from "../golden/replay-trajectory.js";
import { intervalNumerics } from "../intervals/context.js";
import { type IntervalFailure, type Tally, judge } from "../intervals/verdict.js";
import { outputClause } from "./kernels.js";

export interface GoldenBoundedResult {
  readonly cases: number;
  readonly steps: number;
  /** Cases that could not be built here (an optimizer or dtype outside the spec). */
  readonly skipped: number;
  readonly failures: readonly (IntervalFailure & { readonly at: string })[];
}

function trajectories(dir: string, filter?: (id: string) => boolean): { c: GoldenTrajectory; file: string }[] {
  const out: { c: GoldenTrajectory; file: string }[] = [];
  for (const path of listGoldenFiles(dir)) {
    const doc = JSON.parse(readFileSync(path, "utf8")) as { cases?: { kind: string; id: string }[] };
    for (const c of doc.cases ?? [])
      if (c.kind === "trajectory" && (filter === undefined || filter(c.id)))
        out.push({ c: c as unknown as GoldenTrajectory, file: relative(dir, path) });
  }
  return out;
}

export async function boundedGolden(
  backend: AnyBackend,
  dir: string,
  arithmetic: ArithmeticPromise,
  tally: Tally,
  filter?: (id: string) => boolean,
): Promise<GoldenBoundedResult> {
  const failures: (IntervalFailure & { at: string })[] = [];
  let cases = 0;
  let steps = 0;
  let skipped = 0;
  for (const { c } of trajectories(join(dir), filter)) {
    let prev: OptimizerState;
    try {
      prev = buildTrajectory(c);
    } catch {
      skipped++;
      continue;
    }
    cases++;
    const def = getOptimizerDef(c.optimizer.class)!;
    const lossfun: LossFunction | undefined = c.mode === "lossfun" ? (link) => goldenLoss(link) : undefined;
    for (const [i, step] of c.steps.entries()) {
      let s = applyActions(prev, step);
      if (step.grads_in !== undefined) {
        const grads: Record<string, ReturnType<typeof decodeArray>> = {};
        for (const [p, g] of Object.entries(step.grads_in)) grads[p] = decodeArray(g);
        s = setGrads(s, grads);
      }
      const ev = intervalNumerics(arithmetic);
      let expected: OptimizerState;
      try {
        expected = withNumerics(ev.ctx, () => update(s, lossfun, { warn: () => undefined }));
      } catch {
        break; // Chainer raises here: the spec decides, with its partial effects
      }
      steps++;
      const at = `${c.id} step ${i}`;
      let actual: OptimizerState;
      const run = (await ResidentRun.create(s, backend)) as ResidentRun;
      try {
        await run.update(lossfun, { warn: () => undefined });
        actual = await run.snapshot();
      } catch (err) {
        failures.push({
          at,
          what: `the backend raised: ${err instanceof Error ? err.message : String(err)}`,
          clause: def.clause,
          index: 0,
          actual: NaN,
          spec: NaN,
          lo: NaN,
          hi: NaN,
        });
        break;
      } finally {
        run.dispose();
      }
      for (const [path, p] of Object.entries(expected.target?.params ?? {})) {
        const got = actual.target?.params[path]?.data;
        // Other dtypes run through the spec itself (the backend computes only its promise's dtype).
        if (p.data === null || got === null || got === undefined || p.data.dtype !== arithmetic.dtype) continue;
        for (const f of judge(`${path} param`, def.clause, p.data.data, ev.intervalOf(p.data), got.data, tally))
          failures.push({ ...f, at });
        for (const [k, v] of Object.entries(expected.rules[path]?.state ?? {})) {
          const a = actual.rules[path]?.state?.[k];
          if (a === undefined || v.dtype !== arithmetic.dtype) continue;
          for (const f of judge(`${path} state.${k}`, outputClause(def, k), v.data, ev.intervalOf(v), a.data, tally))
            failures.push({ ...f, at });
        }
      }
      if (failures.length > 0) break;
      prev = actual;
    }
  }
  return { cases, steps, skipped, failures: failures.slice(0, 10) };
}
