/**
 * The pure-functional promise under a caller who keeps and changes what it passed in: no sequence
 * of caller mutations after a call changes a state already returned [state.no-aliasing].
 */
import { describe, expect, it } from "vitest";
import { clauses } from "../../helpers/clauses.js";
import fc from "fast-check";
import {
  type NDArray,
  type OptimizerState,
  addHook,
  array,
  createLink,
  createOptimizer,
  setGrads,
  setup,
  toJSON,
  update,
} from "../../../spec/index.js";
import { smallStructure } from "../../helpers/fixtures.js";

/** Everything the caller handed to the spec and may change afterwards. */
type Held = { arrays: NDArray[]; records: Record<string, unknown>[] };

const SHAPES: Record<string, number[]> = { "/u": [3], "/enc/b": [2], "/enc/W": [2, 3], "/dec/w": [4] };

function callerArray(shape: number[], seed: number, held: Held): NDArray {
  const a = array(
    "float32",
    shape,
    Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => ((seed * 7 + i) % 11) / 8 - 0.5),
  );
  held.arrays.push(a);
  return a;
}

function callerGrads(seed: number, held: Held): Record<string, NDArray> {
  const g: Record<string, NDArray> = {};
  for (const [p, shape] of Object.entries(SHAPES)) g[p] = callerArray(shape, seed + p.length, held);
  held.records.push(g);
  return g;
}

type Command =
  | { kind: "setGrads"; seed: number }
  | { kind: "lossfun"; seed: number }
  | { kind: "hook"; rate: number }
  | { kind: "plain" };

const arbCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("setGrads" as const), seed: fc.nat(50) }),
  fc.record({ kind: fc.constant("lossfun" as const), seed: fc.nat(50) }),
  fc.record({ kind: fc.constant("hook" as const), rate: fc.double({ min: 1e-6, max: 0.1, noNaN: true }) }),
  fc.constant({ kind: "plain" as const }),
);

type Mutation = { target: number; index: number; value: number; how: "write" | "reshape" | "retag" | "record" };
const arbMutation: fc.Arbitrary<Mutation> = fc.record({
  target: fc.nat(),
  index: fc.nat(10),
  value: fc.double(),
  how: fc.constantFrom("write", "reshape", "retag", "record"),
});

/** Change what the caller holds, the way a careless caller would. */
function mutate(held: Held, m: Mutation): void {
  const a = held.arrays[m.target % Math.max(1, held.arrays.length)];
  if (m.how === "write" && a !== undefined) a.data[m.index % a.data.length] = m.value;
  if (m.how === "reshape" && a !== undefined) (a.shape as number[]).push(m.index);
  if (m.how === "retag" && a !== undefined) (a as { dtype: string }).dtype = "float64";
  const r = held.records[m.target % Math.max(1, held.records.length)];
  if (m.how === "record" && r !== undefined) {
    for (const k of Object.keys(r)) r[k] = m.value;
    r["extra"] = m.value;
  }
}

/** Try to change a returned state's plain structure; frozen, so each attempt throws. */
function tamper(s: OptimizerState): number {
  let refused = 0;
  const attempts: (() => void)[] = [
    () => ((s as { t: number }).t = 99),
    () => ((s.lossScale as { scale: number | null }).scale = -1),
    () => ((s.hyperparam as Record<string, unknown>)["alpha"] = 5),
    () => ((s.target!.params as Record<string, unknown>)["/u"] = null),
    () => (s.target!.params["/u"]!.data!.shape as number[]).push(1),
    () => ((s.rules as Record<string, unknown>)["/u"] = null),
    () => (s.hooks!.pre as unknown[]).push(null),
  ];
  for (const f of attempts) {
    try {
      f();
    } catch (e) {
      if (e instanceof TypeError) refused++;
      else throw e;
    }
  }
  return refused;
}

describe(`no caller mutation changes a returned state [${clauses("state.no-aliasing")}]`, () => {
  it("property: random calls, then random mutations of everything the caller passed; every returned state is as it was", () => {
    fc.assert(
      fc.property(
        fc.array(arbCommand, { minLength: 1, maxLength: 6 }),
        fc.array(arbMutation, { maxLength: 30 }),
        (commands, mutations) => {
          const held: Held = { arrays: [], records: [] };
          const data: Record<string, NDArray> = {};
          for (const [p, shape] of Object.entries(SHAPES)) data[p] = callerArray(shape, 1, held);
          held.records.push(data);
          const structure = smallStructure();
          held.records.push(structure as unknown as Record<string, unknown>);
          const link = createLink(structure, data);
          let s = setup(createOptimizer("Adam", { amsgrad: true }), link);
          const returned: [OptimizerState, string][] = [[s, toJSON(s)]];
          for (const c of commands) {
            if (c.kind === "setGrads") s = setGrads(s, callerGrads(c.seed, held));
            else if (c.kind === "lossfun") {
              const g = callerGrads(c.seed, held);
              s = update(s, () => ({ backward: () => g }));
            } else if (c.kind === "hook") {
              const args = { rate: c.rate };
              held.records.push(args);
              s = addHook(s, { kind: "WeightDecay", args }, { name: `wd${returned.length}` });
            } else s = update(s);
            returned.push([s, toJSON(s)]);
          }
          for (const m of mutations) mutate(held, m);
          for (const [state] of returned) expect(tamper(state)).toBe(7);
          for (const [state, before] of returned) expect(toJSON(state)).toBe(before);
        },
      ),
      { numRuns: 60, seed: 15 },
    );
  });
});
