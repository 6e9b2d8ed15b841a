/**
 * Behaviours Chainer's own test-suite asserts (chainer-semantics.md §7), restated against the spec.
 * Expected numbers here are Chainer's test anchors, not outputs of this code.
 */
import { describe, expect, it } from "vitest";
import {
  type OptimizerState,
  array,
  createLink,
  createOptimizer,
  setup,
  setGrads,
  update,
  addHook,
  removeHook,
  weightDecay,
  lasso,
  gradientHardClipping,
  setLossScale,
  lossScaling,
  useFp32Update,
  setRuleHyperparam,
  deleteRuleHyperparam,
  setHyperparam,
  effectiveHyperparams,
  optimizerAlphaT,
  InvalidIntervalError,
  InvalidLossScaleError,
  NotSetUpError,
  InvalidTargetError,
  HookNotCallableError,
  StepsNotStartedError,
  Optimizer,
  paramPaths,
  type LinkStructure,
  type NDArray,
} from "../../spec/index.js";
import { clauses } from "../helpers/clauses.js";

function oneParam(values: number[], dtype: "float32" | "float64" = "float64") {
  const s: LinkStructure = { kind: "link", params: [{ name: "x", dtype, shape: [values.length] }], children: [] };
  return createLink(s, { "/x": array(dtype, [values.length], values) });
}

function step(s: OptimizerState, grad: number[]): OptimizerState {
  const p = s.target!.params["/x"]!;
  return update(setGrads(s, { "/x": array(p.dtype, [grad.length], grad) }));
}

const x = (s: OptimizerState): number[] => Array.from(s.target!.params["/x"]!.data!.data);

describe("Chainer's test anchors", () => {
  it(`AdamW anchor: Adam(eta=0.5, weight_decay_rate=0.1), x=1, grad=1 → 0.9495 [${clauses("adam.update.param")}]`, () => {
    const s = step(setup(createOptimizer("Adam", { eta: 0.5, weight_decay_rate: 0.1 }), oneParam([1])), [1]);
    expect(x(s)[0]).toBeCloseTo(0.9495, 7);
  });

  it(`AMSGrad anchor: two steps reproduce Chainer's v, vhat and x [${clauses("adam.update.amsgrad")}]`, () => {
    let s = setup(createOptimizer("Adam", { alpha: 0.01, beta2: 0.7, amsgrad: true }), oneParam([0, 0, 0, 0]));
    s = step(s, [1, -1, 10, -10]);
    const v1 = Array.from(s.rules["/x"]!.state!["v"]!.data);
    [0.3, 0.3, 30, 30].forEach((e, i) => expect(v1[i]).toBeCloseTo(e, 7));
    [-0.01, 0.01, -0.01, 0.01].forEach((e, i) => expect(x(s)[i]).toBeCloseTo(e, 7));
    s = step(s, [-10, -10, -1, -1]);
    const st = s.rules["/x"]!.state!;
    [30.21, 30.21, 21.3, 21.3].forEach((e, i) => expect(st["v"]!.data[i]).toBeCloseTo(e, 6));
    [30.21, 30.21, 30, 30].forEach((e, i) => expect(st["vhat"]!.data[i]).toBeCloseTo(e, 6));
    [-0.00377703, 0.01745388, -0.01548985, 0.01686232].forEach((e, i) => expect(x(s)[i]).toBeCloseTo(e, 7));
  });

  it(`WeightDecay(0.2) with SGD(lr=1): p' = p − g − 0.2·p [${clauses("hooks.weight-decay")}]`, () => {
    let s = addHook(setup(createOptimizer("SGD", { lr: 1 }), oneParam([1, -2, 3])), weightDecay(0.2));
    s = step(s, [0.5, 0.5, 0.5]);
    [1 - 0.5 - 0.2, -2 - 0.5 + 0.4, 3 - 0.5 - 0.6].forEach((e, i) => expect(x(s)[i]).toBeCloseTo(e, 12));
  });

  it(`Lasso(0.2): p' = p − g − 0.2·sign(p), sign(0) = 0 [${clauses("hooks.lasso")}]`, () => {
    let s = addHook(setup(createOptimizer("SGD", { lr: 1 }), oneParam([1, -2, 0])), lasso(0.2));
    s = step(s, [0.5, 0.5, 0.5]);
    [0.3, -2.3, -0.5].forEach((e, i) => expect(x(s)[i]).toBeCloseTo(e, 12));
  });

  it(`GradientHardClipping(−0.9, 1.1): p' = p − clip(g) [${clauses("hooks.gradient-hard-clipping")}]`, () => {
    let s = addHook(setup(createOptimizer("SGD", { lr: 1 }), oneParam([0, 0, 0])), gradientHardClipping(-0.9, 1.1));
    s = step(s, [-3, 0.5, 3]);
    expect(x(s)).toEqual([0.9, -0.5, -1.1]);
  });

  it(`WeightDecay(1/8) under loss scale 4 equals the unscaled run [${clauses("hooks.weight-decay.loss-scale")}]`, () => {
    const lossfun = (scale: number) => () => ({
      backward: (ls: number | null) => ({
        "/x": array(
          "float64",
          [3],
          [1, 2, 3].map((g) => g * (ls ?? 1) * scale),
        ),
      }),
    });
    const plain = update(
      addHook(setup(createOptimizer("SGD", { lr: 1 }), oneParam([1, 2, 3])), weightDecay(1 / 8)),
      lossfun(1),
    );
    const scaled = update(
      setLossScale(addHook(setup(createOptimizer("SGD", { lr: 1 }), oneParam([1, 2, 3])), weightDecay(1 / 8)), 4),
      lossfun(1),
    );
    expect(x(scaled)).toEqual(x(plain));
  });
});

describe("state machine facts", () => {
  it(`setup drops hooks and per-rule settings, and resets t and epoch [${clauses("optimizer.setup")}]`, () => {
    let s = setup(createOptimizer("SGD"), oneParam([1]));
    s = addHook(s, weightDecay(0.1));
    s = setRuleHyperparam(s, "/x", "lr", 0.5);
    s = step(s, [1]);
    const again = setup(s, oneParam([1]));
    expect(again.hooks).toEqual({ pre: [], post: [] });
    expect(again.rules["/x"]!.hyperparam).toEqual({});
    expect(again.t).toBe(0);
  });

  it(`use_fp32_update(False) after setup enables fp32 update on every rule [${clauses("optimizer.fp32-update")}]`, () => {
    const s = useFp32Update(setup(createOptimizer("SGD"), oneParam([1])), false);
    expect(s.useFp32Update).toBe(false);
    expect(s.rules["/x"]!.useFp32Update).toBe(true);
  });

  it(`a rule override hides the optimizer's value; deleting it exposes it again [${clauses("hyperparam.override")}]`, () => {
    let s = setup(createOptimizer("SGD", { lr: 0.1 }), oneParam([1]));
    s = setRuleHyperparam(s, "/x", "lr", 0.5);
    s = setHyperparam(s, "lr", 0.2);
    expect(effectiveHyperparams(s.hyperparam, s.rules["/x"]!.hyperparam)["lr"]).toBe(0.5);
    s = deleteRuleHyperparam(s, "/x", "lr");
    expect(effectiveHyperparams(s.hyperparam, s.rules["/x"]!.hyperparam)["lr"]).toBe(0.2);
  });

  it(`dynamic loss scaling: doubles until the first non-finite gradient, then halves and grows by 2^(1/interval) [${clauses("loss-scale.dynamic.adjust")}]`, () => {
    let s = lossScaling(setup(createOptimizer("SGD"), oneParam([1])), { interval: 2 });
    const scales: number[] = [];
    for (const g of [1, 1, NaN, 1, 1]) {
      s = step(s, [g]);
      scales.push(s.lossScale.scale as number);
    }
    expect(scales).toEqual([2, 4, 2, 2 * Math.SQRT2, 4.000000000000001]);
    expect(s.t).toBe(5);
    expect(s.rules["/x"]!.t).toBe(4); // the skipped update does not count on the rule
  });

  it(`loss_scaling(interval=0) fails with the dynamic flag already set (documented partial effect) [${clauses("loss-scale.dynamic.configure")}]`, () => {
    const s = setup(createOptimizer("SGD"), oneParam([1]));
    let err: unknown;
    try {
      lossScaling(s, { interval: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidIntervalError);
    expect((err as InvalidIntervalError).partial).toMatchObject({ lossScale: { dynamic: true, scale: null } });
    expect(s.lossScale.dynamic).toBe(false);
    expect(() => setLossScale(s, -1)).toThrow(InvalidLossScaleError);
  });

  it("errors: not set up, bad target, non-hook, alpha_t at t == 0", () => {
    expect(() => addHook(createOptimizer("SGD"), weightDecay(0.1))).toThrow(NotSetUpError);
    expect(() => setup(createOptimizer("SGD"), "xxx")).toThrow(InvalidTargetError);
    expect(() => addHook(setup(createOptimizer("SGD"), oneParam([1])), 1)).toThrow(HookNotCallableError);
    expect(() => optimizerAlphaT(setup(createOptimizer("Adam"), oneParam([1])))).toThrow(StepsNotStartedError);
  });

  it(`a removed hook never runs again [${clauses("hooks.remove")}]`, () => {
    let s = addHook(setup(createOptimizer("SGD", { lr: 1 }), oneParam([1])), weightDecay(0.5));
    s = removeHook(s, "WeightDecay");
    s = step(s, [0]);
    expect(x(s)).toEqual([1]);
  });

  it(`an initialized parameter without gradient is updated with a zero gradient [${clauses("update.zero-grad")}]`, () => {
    let s = setup(createOptimizer("MomentumSGD", { lr: 1, momentum: 0.5 }), oneParam([1]));
    s = step(s, [1]);
    const before = x(s)[0]!;
    s = update(setGrads(s, { "/x": null }));
    expect(s.target!.params["/x"]!.grad).not.toBeNull();
    expect(x(s)[0]).toBe(before - 0.5);
  });

  it(`parameter order: own sorted by code point, children sorted, ChainList by index [${clauses("link.order.chain", "link.order.chainlist")}]`, () => {
    const lin = (): LinkStructure => ({
      kind: "link",
      params: [
        { name: "b", dtype: "float32", shape: [1] },
        { name: "W", dtype: "float32", shape: [1] },
      ],
      children: [],
    });
    const s: LinkStructure = {
      kind: "chain",
      params: [
        { name: "z", dtype: "float32", shape: [1] },
        { name: "Y", dtype: "float32", shape: [1] },
      ],
      children: [
        {
          name: "cl",
          link: {
            kind: "chainlist",
            params: [],
            children: Array.from({ length: 11 }, () => ({ name: "", link: lin() })),
          },
        },
        {
          name: "b",
          link: {
            kind: "chain",
            params: [],
            children: [
              { name: "l2", link: lin() },
              { name: "l10", link: lin() },
            ],
          },
        },
        { name: "a", link: lin() },
      ],
    };
    const paths = paramPaths(s);
    expect(paths.slice(0, 8)).toEqual(["/Y", "/z", "/a/W", "/a/b", "/b/l10/W", "/b/l10/b", "/b/l2/W", "/b/l2/b"]);
    expect(paths.slice(8, 12)).toEqual(["/cl/0/W", "/cl/0/b", "/cl/1/W", "/cl/1/b"]);
    expect(paths.slice(-4)).toEqual(["/cl/9/W", "/cl/9/b", "/cl/10/W", "/cl/10/b"]);
  });

  it("the Chainer-style class keeps its state when a call fails", () => {
    const opt = Optimizer.create("SGD").setup(oneParam([1]));
    opt.addHook(weightDecay(0.1));
    const before = opt.state;
    expect(() => opt.addHook(weightDecay(0.2))).toThrow(/already registered/);
    expect(opt.state).toBe(before);
    opt.setGrads({ "/x": array("float64", [1], [1]) as NDArray });
    opt.update();
    expect(opt.t).toBe(1);
  });
});
