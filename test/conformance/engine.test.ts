/**
 * The engine runs the spec's state machine on backend kernels; what a kernel cannot compute exactly
 * (0-d parameters, which numpy 1.x computes in float64) is left to the spec.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  OPTIMIZERS,
  array,
  bitEqual,
  createLink,
  createOptimizer,
  setGrads,
  setup,
  update,
  type OptimizerState,
} from "../../spec/index.js";
import { jsBackend } from "../../backends/js/index.js";
import { updateOn } from "../../backends/engine.js";
import type { AnyBackend } from "../../backends/contract.js";
import { clauses } from "../helpers/clauses.js";

const onJs = updateOn(jsBackend as unknown as AnyBackend);

describe("engine on the JS backend", () => {
  for (const name of Object.keys(OPTIMIZERS)) {
    it(`${name}: a 0-d parameter next to a vector matches the spec bit for bit [${clauses("numerics.promotion.scalars", "compute.override")}]`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })), {
            minLength: 1,
            maxLength: 4,
          }),
          (gs) => {
            const structure = {
              kind: "link" as const,
              params: [
                { name: "s", dtype: "float32" as const, shape: [] },
                { name: "v", dtype: "float32" as const, shape: [3] },
              ],
              children: [],
            };
            const link = createLink(structure, {
              "/s": array("float32", [], [0.3]),
              "/v": array("float32", [3], [0.1, -0.2, 0.7]),
            });
            let a: OptimizerState = setup(createOptimizer(name), link);
            let b = a;
            for (const [g0, g1] of gs) {
              const grads = { "/s": array("float32", [], [g0]), "/v": array("float32", [3], [g1, -g0, g0 * g1]) };
              a = update(setGrads(a, grads));
              b = onJs(setGrads(b, grads));
            }
            for (const p of ["/s", "/v"])
              expect(bitEqual(a.target!.params[p]!.data!, b.target!.params[p]!.data!)).toBe(true);
          },
        ),
        { numRuns: 30 },
      );
    });
  }
});
