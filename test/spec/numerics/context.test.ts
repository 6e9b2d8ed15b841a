import { describe, expect, it } from "vitest";
import { test as fcTest } from "@fast-check/vitest";
import {
  type NDArray,
  type OpRequest,
  OPTIMIZERS,
  withNumerics,
  activeNumerics,
  np,
  array,
  bitEqual,
} from "../../../spec/index.js";
import { kernelCaseArb } from "../../../conformance/arbitraries.js";
import { plainUpdate } from "../../helpers/kernel-case.js";
import { clauses } from "../../helpers/clauses.js";

// A context that records every operation and keeps numpy's arithmetic.
function recorder(): { ops: OpRequest[]; ctx: { op(r: OpRequest): undefined } } {
  const ops: OpRequest[] = [];
  return { ops, ctx: { op: (r) => void ops.push(r) } };
}

describe(`numerics context [${clauses("numerics.context")}]`, () => {
  it("sees every elementwise operation of a formula, in the spec's order, with numpy's result dtype", () => {
    const x = array("float32", [2], [1, 4]);
    const { ops, ctx } = recorder();
    withNumerics(ctx, () => np.iadd(x, np.mul(0.5, np.sqrt(x))));
    expect(ops.map((o) => o.op)).toEqual(["sqrt", "mul", "add", "assign"]);
    expect(ops.map((o) => o.dtype)).toEqual(["float32", "float32", "float32", "float32"]);
    expect(ops[1]?.operands[0]).toBe(0.5);
  });

  it("replaces a result when the context returns one, and only inside withNumerics", () => {
    const x = array("float64", [1], [2]);
    const ctx = {
      op: (r: OpRequest): NDArray | undefined => (r.op === "mul" ? array(r.dtype, r.shape, [42]) : undefined),
    };
    expect(withNumerics(ctx, () => np.add(np.mul(x, x), 1)).data[0]).toBe(43);
    expect(np.add(np.mul(x, x), 1).data[0]).toBe(5);
    expect(activeNumerics()).toBeNull();
  });

  it("restores the previous context when the formula throws, and nests", () => {
    const outer = recorder();
    const inner = recorder();
    withNumerics(outer.ctx, () => {
      expect(() =>
        withNumerics(inner.ctx, () => np.add(array("float32", [2], [1, 2]), array("float32", [3], [1, 2, 3]))),
      ).toThrow(RangeError);
      expect(activeNumerics()).toBe(outer.ctx);
    });
    expect(activeNumerics()).toBeNull();
  });

  // The same formulas under a context that declines every operation give the same bits.
  const defs = Object.values(OPTIMIZERS);
  for (const def of defs) {
    fcTest.prop([kernelCaseArb(def, "float32")], { numRuns: 20 })(
      `${def.name}: a declining context changes nothing`,
      (c) => {
        const { call, plain } = plainUpdate(def, c);
        const { ops, ctx } = recorder();
        const traced = withNumerics(ctx, () => def.update(call));
        expect(ops.length).toBeGreaterThan(0);
        expect(bitEqual(traced.param, plain.param)).toBe(true);
        for (const k of Object.keys(plain.state))
          expect(bitEqual(traced.state[k] as NDArray, plain.state[k] as NDArray)).toBe(true);
      },
    );
  }
});
