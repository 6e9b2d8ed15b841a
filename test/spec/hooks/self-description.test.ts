/**
 * Each built-in hook kind describes its arguments and its kernel (`spec/hooks/types.ts`); the
 * engine, the kit and the bench read only these descriptions, so they must agree with the hook.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_HOOKS, type HookKind, type Json } from "../../../spec/index.js";
import { checkArgs } from "../../../spec/hooks/args.js";

const kinds: readonly HookKind[] = Object.values(BUILTIN_HOOKS);

function exampleArgs(kind: HookKind): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const a of kind.args ?? []) {
    const ex = a.examples.find((x) => x !== null) ?? (a.range ? a.range[0] : undefined);
    if (ex !== undefined) out[a.name] = ex;
  }
  return out;
}

describe("hook self-description", () => {
  for (const kind of kinds) {
    it(`${kind.kind}: schema, validator and kernel description agree`, () => {
      expect(kind.args).toBeDefined();
      expect(kind.kernel).toBeDefined();
      expect(kind.kernel!.scope).toBe(kind.callForEachParam ? "param" : "whole");
      const args = exampleArgs(kind);
      expect(kind.validate(args)).toBeNull();
      expect(kind.validate({ ...args, bogus: 1 })).toMatch(/unexpected argument bogus/);
      for (const a of kind.args!) {
        if (a.optional) continue;
        const { [a.name]: _dropped, ...missing } = args;
        expect(kind.validate(missing)).toMatch(new RegExp(`argument ${a.name} must be`));
        expect(kind.validate({ ...args, [a.name]: a.type === "number" ? "x" : 1 })).toMatch(
          new RegExp(`argument ${a.name} must be`),
        );
      }
      const desc = kind.kernel!;
      if (desc.scope === "param") {
        const out = desc.scalarsOf({ args, lossScale: null, dtype: "float32", paramSumSquares: 4, gradSumSquares: 9 });
        expect(Object.keys(out).sort()).toEqual(desc.scalars.map((s) => s.name).sort());
        for (const s of desc.scalars) if (!s.nullable) expect(typeof out[s.name]).toBe("number");
        expect(desc.noise !== undefined).toBe(desc.reads.includes("noise"));
      }
    });
  }

  it("checkArgs: optional arguments may be null or absent, objects are checked", () => {
    const schema = [
      { name: "x", type: "number" as const, examples: [1] },
      {
        name: "o",
        type: "object" as const,
        optional: true,
        examples: [],
        check: (v: Json) => ((v as Record<string, Json>)["k"] === 1 ? null : "o.k must be 1"),
      },
    ];
    expect(checkArgs(schema, { x: 1 })).toBeNull();
    expect(checkArgs(schema, { x: 1, o: null })).toBeNull();
    expect(checkArgs(schema, { x: 1, o: { k: 1 } })).toBeNull();
    expect(checkArgs(schema, { x: 1, o: { k: 2 } })).toBe("o.k must be 1");
    expect(checkArgs(schema, { x: 1, o: [1] })).toMatch(/argument o must be an object/);
    expect(checkArgs(schema, { x: null })).toMatch(/argument x must be a number, got null/);
  });

  it("the scalars follow the spec's helpers (loss scale, LARS norms)", () => {
    const wd = BUILTIN_HOOKS.WeightDecay.kernel;
    if (wd?.scope !== "param") throw new Error("WeightDecay is per-parameter");
    expect(
      wd.scalarsOf({ args: { rate: 0.5 }, lossScale: 8, dtype: "float32", paramSumSquares: NaN, gradSumSquares: NaN }),
    ).toEqual({ rate: 4 });
    const lars = BUILTIN_HOOKS.GradientLARS.kernel;
    if (lars?.scope !== "param") throw new Error("GradientLARS is per-parameter");
    // pn = 2, gn = 3: local = 2 / ((0 + 3) + 0·2) above the threshold.
    expect(
      lars.scalarsOf({
        args: { threshold: 1, weight_decay: 0, eps: 0 },
        lossScale: null,
        dtype: "float64",
        paramSumSquares: 4,
        gradSumSquares: 9,
      }),
    ).toEqual({ weight_decay: 0, rate: 2 / 3 });
    const clip = BUILTIN_HOOKS.GradientClipping.kernel;
    if (clip?.scope !== "whole") throw new Error("GradientClipping is whole");
    expect(clip.rateOf({ threshold: 1 }, [9, 16])).toEqual({ rate: 0.2, warnings: [] });
    expect(clip.rateOf({ threshold: 10 }, [9, 16])).toEqual({ rate: null, warnings: [] });
  });
});
