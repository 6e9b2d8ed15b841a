/**
 * Adding a hook is one spec file (a `HookKind` with its argument schema and kernel description),
 * one kernel per backend and one registry row: the engine computes the new hook on a backend
 * without knowing its name. Here a test hook `g ← g·D(rate)` with `rate = factor / (1 + dot(g, g))`
 * (a reduction, as GradientLARS has) runs through the engine and through a whole optimizer update.
 */
import { describe, expect, it } from "vitest";
import {
  type HookArg,
  type HookKind,
  type Json,
  createLink,
  createOptimizer,
  setup,
  addHook,
  setGrads,
  update,
  array,
  np,
  registerHookKind,
} from "../../spec/index.js";
import { checkArgs, numberArg } from "../../spec/hooks/args.js";
import { perParamHookOn, updateOn } from "../../backends/engine.js";
import { jsBackend } from "../../backends/js/index.js";
import { jsHookKernel } from "../../backends/js/hook-kernel.js";
import { scale32, scale64 } from "../../backends/js/hooks.js";
import type { Backend } from "../../backends/contract.js";
import type { JsBuffer } from "../../backends/js/memory.js";

const ARGS: readonly HookArg[] = [{ name: "factor", type: "number", examples: [0.5, 2] }];
const rateOf = (args: Readonly<Record<string, Json>>, gSquared: number): number =>
  numberArg(args, "factor") / (1 + gSquared);

const TestShrink: HookKind = {
  kind: "TestShrink",
  defaultName: "TestShrink",
  timing: "pre",
  callForEachParam: true,
  clause: "hooks.call.order",
  args: ARGS,
  validate: (args) => checkArgs(ARGS, args),
  kernel: {
    scope: "param",
    name: "TestShrink",
    reads: [],
    reductions: ["grad"],
    scalars: [{ name: "rate", clause: "hooks.call.order" }],
    scalarsOf: ({ args, gradSumSquares }) => ({ rate: rateOf(args, gradSumSquares) }),
  },
  perParam({ args, param }) {
    if (param.grad === null) return { grad: null };
    const rate = rateOf(args, np.dotSelf(param.grad).data[0] as number);
    return { grad: np.imul(param.grad, { dtype: "float64", shape: [], data: Float64Array.of(rate) }) };
  },
};
registerHookKind(TestShrink);

const backend: Backend<JsBuffer> = {
  ...jsBackend,
  name: "js-with-test-hook",
  hooks: {
    ...jsBackend.hooks,
    TestShrink: jsHookKernel(
      TestShrink,
      (g, _x, start, end, seg) => scale32(g, start, end, seg.scalars["rate"] as number),
      (g, _x, start, end, seg) => scale64(g, start, end, seg.scalars["rate"] as number),
    ),
  },
};

describe("a hook added from its description alone", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: the engine computes it on the backend, bit for bit with the spec`, () => {
      const grad = array(dtype, [3], [0.25, -1.5, 3]);
      const param = { dtype, shape: [3], data: array(dtype, [3], [1, 2, 3]), grad, gradValid: true, lossScale: null };
      const call = { args: { factor: 0.5 }, state: null, rule: null, param, path: "/W" };
      const expected = TestShrink.perParam!(call).grad!;
      const actual = perParamHookOn(backend, TestShrink, call);
      expect(actual).toBeDefined();
      expect(Array.from(actual!.grad!.data)).toEqual(Array.from(expected.data));
      expect(actual!.grad!.dtype).toBe(dtype);
    });
  }

  it("runs inside a whole update with the optimizer's other hooks", () => {
    const link = createLink(
      { kind: "chain", params: [{ name: "W", dtype: "float32", shape: [2] }], children: [] },
      { "/W": array("float32", [2], [0.5, -1]) },
    );
    let opt = setup(createOptimizer("Adam", { alpha: 0.01 }), link);
    opt = addHook(opt, { kind: "TestShrink", args: { factor: 2 } });
    opt = addHook(opt, { kind: "WeightDecay", args: { rate: 1e-3 } });
    const withGrads = setGrads(opt, { "/W": array("float32", [2], [0.1, 0.2]) });
    const viaSpec = update(withGrads);
    const viaBackend = updateOn(backend)(withGrads);
    const w = (s: typeof viaSpec) => Array.from(s.target!.params["/W"]!.data!.data);
    expect(w(viaBackend)).toEqual(w(viaSpec));
    expect(w(viaSpec)).not.toEqual([0.5, -1]);
    expect(() => addHook(opt, { kind: "TestShrink", args: { factor: "x" }, name: "again" })).toThrow(
      /factor must be a number/,
    );
  });
});
