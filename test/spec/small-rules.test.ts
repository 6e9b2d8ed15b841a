/**
 * Small rules of the data model and the state machine that no golden case records: each test
 * declares the clause it checks.
 */
import { describe, expect, it } from "vitest";
import {
  array,
  callHooks,
  cleargrads,
  createLink,
  createOptimizer,
  GradUnavailableError,
  InvalidCallHooksTimingError,
  np,
  OptspecError,
  setGrads,
  setup,
  update,
  type LinkStructure,
} from "../../spec/index.js";
import { exponentialDecayNoise } from "../../spec/hooks/gradient-noise.js";
import { normal, seedLegacy } from "../../spec/numerics/mt19937.js";
import { clauses } from "../helpers/clauses.js";

const structure: LinkStructure = {
  kind: "chain",
  params: [
    { name: "W", dtype: "float32", shape: [2] },
    { name: "lazy", dtype: "float32", shape: null },
  ],
  children: [],
};
const link = () => cleargrads(createLink(structure, { "/W": array("float32", [2], [0.5, -1]) }));

describe("data model", () => {
  it(`an array keeps -0 and values rounded to its dtype; the spec never writes into arrays it is given [${clauses("ndarray.representation")}]`, () => {
    const a = array("float32", [3], [-0, 0.1, 3]);
    expect(Object.is(a.data[0], -0)).toBe(true);
    expect(a.data[1]).toBe(Math.fround(0.1));
    const g = array("float32", [2], [0.25, -0.5]);
    const s = setup(createOptimizer("SGD", { lr: 0.1 }), link());
    update(setGrads(s, { "/W": g }));
    expect(Array.from(g.data)).toEqual([0.25, -0.5]);
  });

  it(`an uninitialized parameter has no data and no gradient and still gets its rule; update leaves it alone [${clauses("link.params.uninitialized")}]`, () => {
    const s = setup(createOptimizer("SGD"), link());
    expect(Object.keys(s.target!.params)).toEqual(["/W", "/lazy"]);
    expect(s.target!.params["/lazy"]!.data).toBeNull();
    expect(Object.keys(s.rules)).toContain("/lazy");
    const after = update(setGrads(s, { "/W": array("float32", [2], [1, 1]) }));
    expect(after.target!.params["/lazy"]!.data).toBeNull();
  });

  it(`cleargrads sets every gradient to null and valid, uninitialized parameters too [${clauses("link.cleargrads")}]`, () => {
    const l = cleargrads(link());
    for (const p of Object.values(l.params)) expect([p.grad, p.gradValid]).toEqual([null, true]);
  });

  it(`a gradient of the wrong shape or dtype is refused with a named error, the state unchanged [${clauses("link.grad.set")}]`, () => {
    const s = setup(createOptimizer("SGD"), link());
    const before = s.target!.params["/W"];
    for (const g of [array("float32", [3], [1, 2, 3]), array("float64", [2], [1, 2])]) {
      let err: unknown;
      try {
        setGrads(s, { "/W": g });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OptspecError);
      expect((err as OptspecError).clause).toBe("link.grad.set");
    }
    expect(s.target!.params["/W"]).toBe(before);
  });

  it(`numpy.minimum propagates NaN from either side [${clauses("numerics.nan.minimum")}]`, () => {
    const a = array("float64", [3], [NaN, 1, 2]);
    const b = array("float64", [3], [0, NaN, 1]);
    const r = np.minimum(a, b);
    expect(Number.isNaN(r.data[0])).toBe(true);
    expect(Number.isNaN(r.data[1])).toBe(true);
    expect(r.data[2]).toBe(1);
  });
});

describe("state machine", () => {
  it(`callHooks with a timing other than 'pre' or 'post' is Chainer's ValueError [${clauses("hooks.call.timing")}]`, () => {
    const s = setup(createOptimizer("SGD"), link());
    expect(() => callHooks(s, "middle")).toThrow(InvalidCallHooksTimingError);
    try {
      callHooks(s, "middle");
    } catch (e) {
      expect((e as OptspecError).chainer).toEqual({ type: "ValueError", str: "timing must be either 'pre' or 'post'" });
    }
  });

  it(`a gradient never set nor cleared cannot be read: Chainer's RuntimeError [${clauses("rule.update.grad-invalid")}]`, () => {
    // An uninitialized parameter of a fresh link: its gradient was never set nor cleared.
    const fresh = createLink(structure, { "/W": array("float32", [2], [0.5, -1]) });
    const broken = setGrads(setup(createOptimizer("SGD"), fresh), { "/W": array("float32", [2], [1, 1]) });
    expect(() => update(broken)).toThrow(GradUnavailableError);
  });
});

describe("GradientNoise's default noise", () => {
  it(`draws normal(0, sqrt(eta / (1 + t)^0.55)) from numpy's legacy generator, scaled by the rule's t [${clauses("hooks.gradient-noise.default")}]`, () => {
    const state = seedLegacy(7);
    const draw = (t: number) =>
      exponentialDecayNoise.draw({
        shape: [4],
        dtype: "float64",
        args: { eta: 0.3 },
        settings: { name: "exponential_decay_noise" },
        rule: { t } as never,
        state: state as never,
      });
    const atZero = draw(0).noise.data;
    expect(Array.from(atZero)).toEqual(Array.from(normal(state, 0, Math.sqrt(0.3), 4).values));
    const atThree = draw(3).noise.data;
    const ratio = Math.sqrt(1 / 4 ** 0.55);
    atThree.forEach((v, i) => expect(v / (atZero[i] as number)).toBeCloseTo(ratio, 12));
  });
});
