/**
 * Careless callers: the public API refuses what it cannot use with a named error carrying a
 * clause, and leaves the state the caller holds unchanged.
 */
import { describe, expect, it } from "vitest";
import { clauses } from "../../helpers/clauses.js";
import {
  type NDArray,
  type OptimizerState,
  InvalidArgumentError,
  InvalidTargetError,
  InvalidValueError,
  OptspecError,
  addHook,
  array,
  createLink,
  createOptimizer,
  full,
  lossScaling,
  newEpoch,
  setGrads,
  setup,
  toJSON,
  update,
} from "../../../spec/index.js";
import { gradsFor, smallLink, smallStructure } from "../../helpers/fixtures.js";

function refused(state: OptimizerState | null, f: () => unknown): OptspecError {
  const before = state === null ? null : toJSON(state);
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OptspecError);
    expect((e as OptspecError).clause).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    if (state !== null) expect(toJSON(state)).toBe(before);
    return e as OptspecError;
  }
  throw new Error("expected a named error");
}

const fresh = (): OptimizerState => setup(createOptimizer("Adam"), smallLink());

describe(`arrays [${clauses("ndarray.representation", "invariants.array", "link.grad.set", "link.create")}]`, () => {
  it("array() with a wrong value count, a bad shape or dtype, or non-numbers is InvalidValueError", () => {
    expect(refused(null, () => array("float32", [2], [1, 2, 3]))).toBeInstanceOf(InvalidValueError);
    expect(refused(null, () => array("float32", [2], [1, 2, 3])).message).toMatch(/2 values .* got 3 values/);
    refused(null, () => array("float32", [-1], []));
    refused(null, () => array("float32", [1.5], [1]));
    refused(null, () => array("int32" as never, [1], [1]));
    refused(null, () => array("float32", [1], ["1" as never]));
    refused(null, () => array("float32", [1], 5 as never));
    refused(null, () => full("float32", [2 ** 30, 2 ** 30], 0));
  });

  it("hand-built gradients are validated: too many values, a plain JS array, float64 values tagged float32", () => {
    const s = fresh();
    const three: NDArray = { dtype: "float32", shape: [3], data: Float64Array.of(1, 2, 3, 4) };
    expect(refused(s, () => setGrads(s, { "/u": three })).message).toMatch(/3 elements/);
    const plain = { dtype: "float32", shape: [3], data: [1, 2, 3] } as unknown as NDArray;
    expect(refused(s, () => setGrads(s, { "/u": plain })).message).toMatch(/Float64Array/);
    const wide: NDArray = { dtype: "float32", shape: [3], data: Float64Array.of(0.1, 0, 0) };
    expect(refused(s, () => setGrads(s, { "/u": wide })).message).toMatch(/float32 cannot represent/);
    expect(refused(s, () => setGrads(s, { "/u": 5 as never })).message).toMatch(
      /the gradient of \/u: expected an NDArray/,
    );
    refused(s, () => setGrads(s, 5 as never));
  });

  it("link data given to createLink and setup is validated", () => {
    const bad: NDArray = { dtype: "float32", shape: [3], data: Float64Array.of(0.1, 0, 0) };
    refused(null, () => createLink(smallStructure(), { "/u": bad }));
    refused(null, () => createLink(smallStructure(), { "/nope": array("float32", [1], [1]) }));
    refused(null, () => createLink({ kind: "chain", params: 5, children: [] } as never));
  });
});

describe("arguments of the state machine", () => {
  it(`setup with a malformed link is InvalidTargetError [${clauses("optimizer.setup.target", "invariants.link", "invariants.param")}]`, () => {
    const s = createOptimizer("SGD");
    for (const link of [
      null,
      5,
      {},
      { structure: {}, params: {} },
      { structure: { kind: "chain", params: 3, children: [] }, params: {} },
    ]) {
      expect(refused(s, () => setup(s, link))).toBeInstanceOf(InvalidTargetError);
    }
    const good = smallLink();
    const missing = { structure: good.structure, params: { ...good.params, "/u": undefined } };
    expect(refused(s, () => setup(s, missing)).message).toMatch(/\/u/);
    const wrongDtype = {
      structure: good.structure,
      params: { ...good.params, "/u": { ...good.params["/u"], dtype: "float64" } },
    };
    refused(s, () => setup(s, wrongDtype));
    const shapeLie = {
      structure: good.structure,
      params: { ...good.params, "/u": { ...good.params["/u"], shape: [7] } },
    };
    refused(s, () => setup(s, shapeLie));
  });

  it(`update(state, 5) and a loss without backward are InvalidArgumentError [${clauses("update.lossfun")}]`, () => {
    const s = fresh();
    expect(refused(s, () => update(s, 5 as never))).toBeInstanceOf(InvalidArgumentError);
    expect(refused(s, () => update(s, (() => 5) as never)).clause).toBe("update.lossfun");
  });

  it(`backward's gradients are validated [${clauses("update.lossfun.grads")}]`, () => {
    const s = fresh();
    const loss = (g: unknown) => () => ({ backward: () => g as Record<string, NDArray> });
    expect(refused(s, () => update(s, loss({ "/u": { dtype: "float32", shape: [3], data: [1, 2, 3] } }))).clause).toBe(
      "update.lossfun.grads",
    );
    refused(s, () => update(s, loss({ "/u": array("float32", [2], [1, 2]) })));
    refused(s, () => update(s, loss({ "/u": array("float64", [3], [1, 2, 3]) })));
    refused(s, () => update(s, loss(null)));
  });

  it(`hand-built states are checked on entry: counters, loss scale [${clauses("invariants.counters", "invariants.loss-scale")}]`, () => {
    const s = fresh();
    expect(refused(s, () => update({ ...s, t: -5 })).clause).toBe("invariants.counters");
    refused(s, () => newEpoch({ ...s, epoch: 1.5 }));
    expect(refused(s, () => update({ ...s, lossScale: { ...s.lossScale, scale: -1 } })).clause).toBe(
      "invariants.loss-scale",
    );
    refused(s, () => update({ ...s, rules: { ...s.rules, "/u": { ...s.rules["/u"]!, t: -1 } } }));
    refused(s, () => update(null as never));
    refused(s, () => newEpoch(s, "yes" as never));
  });

  it(`loss scaling arguments of the wrong type, and hook arguments that are not JSON-like or that the kind refuses, are refused [${clauses("invariants.hook-args", "state.no-aliasing")}]`, () => {
    const s = fresh();
    refused(s, () => lossScaling(s, { interval: "5" as never }));
    refused(s, () => lossScaling(s, { scale: "2" as never }));
    refused(s, () => addHook(s, { kind: "WeightDecay", args: { rate: () => 1 } }));
    refused(s, () => addHook(s, { kind: "WeightDecay", args: { rate: 1n } as never }));
    refused(s, () => addHook(s, { kind: "WeightDecay", args: { rate: "x" } }));
  });

  it("valid calls still work after all this", () => {
    const s = fresh();
    expect(update(setGrads(s, gradsFor(s, 1))).t).toBe(1);
  });
});

describe(`flags are booleans [${clauses("state.plain-data", "rule.enabled")}]`, () => {
  it("setEnabled, setAllEnabled, useCleargrads, useFp32Update and setUseAutoNewEpoch refuse non-booleans", async () => {
    const { setEnabled, setAllEnabled, useCleargrads, useFp32Update, setUseAutoNewEpoch } =
      await import("../../../spec/index.js");
    const s = fresh();
    refused(s, () => setEnabled(s, "/u", 0 as never));
    refused(s, () => setAllEnabled(s, "no" as never));
    refused(s, () => useCleargrads(s, 1 as never));
    refused(s, () => useFp32Update(s, null as never));
    refused(s, () => setUseAutoNewEpoch(s, undefined as never));
  });

  it("the Chainer-named wrapper hands out copies of rule states", async () => {
    const { Optimizer } = await import("../../../spec/index.js");
    const opt = Optimizer.create("Adam").setup(smallLink());
    opt.setGrads(gradsFor(opt.state, 1));
    opt.update();
    const before = toJSON(opt.state);
    const m = opt.rule("/u").state?.["m"];
    expect(m).toBeDefined();
    m!.data[0] = 123;
    expect(toJSON(opt.state)).toBe(before);
  });
});
