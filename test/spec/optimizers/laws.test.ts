/**
 * Laws of the optimizers: properties over random shapes (0-d, empty and one-element included),
 * values, hyperparameters and step counts. Each law is stated bitwise or approximately according
 * to what Chainer's arithmetic (numpy 1.x, rule by rule) really gives, and each test name carries
 * the clause id that states the law in the spec (`laws.*` in `spec/optimizers/*.ts`).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  type Dtype,
  type HyperValue,
  type NDArray,
  type OptimizerDef,
  type OptimizerState,
  OPTIMIZERS,
  OptspecError,
  array,
  bitEqual,
  createLink,
  createOptimizer,
  pyFloatRepr,
  roundTo,
  setEnabled,
  setGrads,
  setup,
  update,
  useFp32Update,
} from "../../../spec/index.js";
import { clauses } from "../../helpers/clauses.js";

type Args = Record<string, HyperValue>;

const RUNS = { numRuns: 100 };

// ---------------------------------------------------------------------------------------------
// Arbitraries

const DTYPE = fc.constantFrom<Dtype>("float16", "float32", "float64");

/** Shapes: 0-d, 1-d of length 0..5, 2-d with a possibly empty axis. */
const SHAPE: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([]),
  fc.integer({ min: 0, max: 5 }).map((n) => [n]),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b]) => [a, b]),
);

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A finite double in [−lim, lim], with both zeros well represented. */
const finite = (lim: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(0, -0) },
    { weight: 5, arbitrary: fc.double({ min: -lim, max: lim, noNaN: true }) },
  );

/** Any double, non-finite values included (for laws that hold whatever the data). */
const anyValue: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: finite(4) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e30, -1e-30) },
);

/** A double in [min, max] with −0 turned into +0. */
const range = (min: number, max: number): fc.Arbitrary<number> =>
  fc.double({ min, max, noNaN: true }).map((x) => x + 0);

/** An eps, often one that rounds to 0 in float16 (below 2^-25). */
const EPS = fc.oneof(range(1e-10, 1e-3), range(1e-10, 2.9e-8));

interface Problem {
  readonly dtype: Dtype;
  /** fp32 master copies (only ever true for float16). */
  readonly fp32: boolean;
  readonly shape: number[];
  readonly p: number[];
  readonly grads: number[][];
}

interface ProblemOptions {
  readonly param?: fc.Arbitrary<number>;
  /** The gradient element arbitrary; `"zero"` for +0 gradients. */
  readonly grad?: fc.Arbitrary<number> | "zero";
  readonly minSteps?: number;
  readonly maxSteps?: number;
  readonly dtype?: fc.Arbitrary<Dtype>;
  readonly fp32?: fc.Arbitrary<boolean>;
  readonly shape?: fc.Arbitrary<number[]>;
}

function problem(o: ProblemOptions = {}): fc.Arbitrary<Problem> {
  return fc
    .record({
      dtype: o.dtype ?? DTYPE,
      fp32: o.fp32 ?? fc.boolean(),
      shape: o.shape ?? SHAPE,
      steps: fc.integer({ min: o.minSteps ?? 1, max: o.maxSteps ?? 3 }),
    })
    .chain(({ dtype, fp32, shape, steps }) => {
      const n = sizeOf(shape);
      const g = o.grad ?? anyValue;
      const grad =
        g === "zero" ? fc.constant(Array.from({ length: n }, () => 0)) : fc.array(g, { minLength: n, maxLength: n });
      return fc
        .record({
          p: fc.array(o.param ?? finite(4), { minLength: n, maxLength: n }),
          grads: fc.array(grad, { minLength: steps, maxLength: steps }),
        })
        .map((r) => ({ dtype, fp32: dtype === "float16" && fp32, shape, ...r }));
    });
}

// ---------------------------------------------------------------------------------------------
// Running an optimizer on one parameter `/p`

function start(name: string, args: Args, pr: Problem): OptimizerState {
  const link = createLink(
    { kind: "chain", params: [{ name: "p", dtype: pr.dtype, shape: pr.shape }], children: [] },
    { "/p": array(pr.dtype, pr.shape, pr.p) },
  );
  const s = setup(createOptimizer(name, args), link);
  return pr.fp32 ? useFp32Update(s) : s;
}

function step(s: OptimizerState, pr: Problem, g: readonly number[]): OptimizerState {
  return update(setGrads(s, { "/p": array(pr.dtype, pr.shape, g) }));
}

/** The states after each step. */
function trajectory(name: string, args: Args, pr: Problem): OptimizerState[] {
  let s = start(name, args, pr);
  const out: OptimizerState[] = [];
  for (const g of pr.grads) {
    s = step(s, pr, g);
    out.push(s);
  }
  return out;
}

function paramOf(s: OptimizerState, path = "/p"): NDArray {
  const d = s.target?.params[path]?.data;
  if (d === null || d === undefined) throw new Error(`no data for ${path}`);
  return d;
}

/** Parameters, rule t, state (keys in order, bitwise) and rule extras of two optimizers agree. */
function sameRun(a: OptimizerState, b: OptimizerState): string | null {
  for (const [path, pa] of Object.entries(a.target?.params ?? {})) {
    const pb = b.target?.params[path];
    if (pa.data === null || pb?.data === null || pb === undefined) return `${path}: missing data`;
    if (!bitEqual(pa.data, pb.data)) return `${path}: params differ`;
    const ra = a.rules[path];
    const rb = b.rules[path];
    if (ra === undefined || rb === undefined) return `${path}: missing rule`;
    if (ra.t !== rb.t) return `${path}: rule t ${ra.t} vs ${rb.t}`;
    const sa = ra.state ?? {};
    const sb = rb.state ?? {};
    if (Object.keys(sa).join(",") !== Object.keys(sb).join(",")) return `${path}: state keys differ`;
    for (const [k, v] of Object.entries(sa)) if (!bitEqual(v, sb[k] as NDArray)) return `${path}: state ${k} differs`;
    if (JSON.stringify(Object.entries(ra.extras)) !== JSON.stringify(Object.entries(rb.extras)))
      return `${path}: extras differ`;
    if ((ra.fp32Param === null) !== (rb.fp32Param === null)) return `${path}: fp32 master presence differs`;
    if (ra.fp32Param !== null && rb.fp32Param !== null && !bitEqual(ra.fp32Param, rb.fp32Param))
      return `${path}: fp32 master differs`;
  }
  return null;
}

/** Run two optimizers on the same problem and require them to agree bitwise after every step. */
function equivalent(a: [string, Args], b: [string, Args], pr: Problem): void {
  const ta = trajectory(a[0], a[1], pr);
  const tb = trajectory(b[0], b[1], pr);
  ta.forEach((s, i) => expect(sameRun(s, tb[i] as OptimizerState), `step ${i + 1}`).toBeNull());
}

/** The machine epsilon (ulp of 1) of a dtype. */
function epsOf(d: Dtype): number {
  return d === "float16" ? 2 ** -10 : d === "float32" ? 2 ** -23 : 2 ** -52;
}

// ---------------------------------------------------------------------------------------------
// Adam variants: bitwise equivalences

const ADAM_CORE = {
  alpha: range(1e-4, 0.1),
  beta1: range(0, 0.99),
  beta2: range(0.5, 0.9999),
  eps: range(1e-8, 1e-2),
  eta: range(0, 2),
};
const BOUND = { final_lr: range(1e-3, 1), gamma: range(1e-4, 0.1) };

describe("Adam variants are Adam with flags (bitwise)", () => {
  it(`${clauses("laws.amsgrad-is-adam-amsgrad")}: AMSGrad ≡ Adam(amsgrad=True)`, () => {
    fc.assert(
      fc.property(fc.record(ADAM_CORE), problem(), (hp, pr) => {
        equivalent(["AMSGrad", hp], ["Adam", { ...hp, amsgrad: true }], pr);
      }),
      RUNS,
    );
  });

  it(`${clauses("laws.adabound-is-adam-adabound")}: AdaBound ≡ Adam(adabound=True)`, () => {
    fc.assert(
      fc.property(fc.record({ ...ADAM_CORE, ...BOUND }), problem(), (hp, pr) => {
        equivalent(["AdaBound", hp], ["Adam", { ...hp, adabound: true }], pr);
      }),
      RUNS,
    );
  });

  it(`${clauses("laws.amsbound-is-adam-amsgrad-adabound")}: AMSBound ≡ Adam(amsgrad=True, adabound=True)`, () => {
    fc.assert(
      fc.property(fc.record({ ...ADAM_CORE, ...BOUND }), problem(), (hp, pr) => {
        equivalent(["AMSBound", hp], ["Adam", { ...hp, amsgrad: true, adabound: true }], pr);
      }),
      RUNS,
    );
  });

  it(`${clauses("laws.adamw-zero-decay-is-adam")}: AdamW(weight_decay_rate=0) ≡ Adam, and AdamW(wdr) ≡ Adam(wdr)`, () => {
    const wdr = fc.oneof(fc.constant(0), range(0, 0.5));
    fc.assert(
      fc.property(fc.record(ADAM_CORE), wdr, problem(), (hp, rate, pr) => {
        equivalent(["AdamW", hp], ["Adam", hp], pr);
        equivalent(["AdamW", { ...hp, weight_decay_rate: rate }], ["Adam", { ...hp, weight_decay_rate: rate }], pr);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Disabled rules, for every optimizer of the registry

/** Random hyperparameters for any optimizer: each float default scaled by [0.5, 1], bools random. */
function hyperArb(def: OptimizerDef): fc.Arbitrary<Args> {
  const rec: Record<string, fc.Arbitrary<HyperValue>> = {};
  for (const h of def.hyperparams) {
    if (!def.positional.includes(h.name)) continue;
    if (h.type === "bool") rec[h.name] = fc.boolean();
    else if (h.type === "float" && typeof h.default === "number") {
      const d = h.default;
      rec[h.name] = range(0.5, 1).map((f) => d * f);
    }
  }
  return fc.record(rec);
}

/** Update, continuing from Chainer's partial state when the update raises. */
function updateTolerant(s: OptimizerState): OptimizerState {
  try {
    return update(s);
  } catch (err) {
    if (err instanceof OptspecError && err.partial !== undefined) return err.partial as OptimizerState;
    throw err;
  }
}

describe(`${clauses("laws.disabled-rule-noop")}: a disabled rule changes nothing`, () => {
  for (const name of Object.keys(OPTIMIZERS)) {
    const def = OPTIMIZERS[name] as OptimizerDef;
    it(`${clauses("laws.disabled-rule-noop")}: ${name}`, () => {
      const arb = fc.record({
        hp: hyperArb(def),
        dtype: DTYPE,
        fp32: fc.boolean(),
        shapeA: SHAPE,
        shapeB: SHAPE,
        before: fc.integer({ min: 0, max: 2 }),
        after: fc.integer({ min: 1, max: 3 }),
        seed: fc.integer({ min: 1, max: 1 << 30 }),
      });
      fc.assert(
        fc.property(arb, ({ hp, dtype, fp32, shapeA, shapeB, before, after, seed }) => {
          let x = seed;
          const rnd = (): number => {
            x = (x * 1103515245 + 12345) % 2147483648;
            return (x / 2147483648 - 0.5) * 4;
          };
          const values = (shape: number[]): number[] => Array.from({ length: sizeOf(shape) }, rnd);
          const link = createLink(
            {
              kind: "chain",
              params: [
                { name: "a", dtype, shape: shapeA },
                { name: "b", dtype, shape: shapeB },
              ],
              children: [],
            },
            { "/a": array(dtype, shapeA, values(shapeA)), "/b": array(dtype, shapeB, values(shapeB)) },
          );
          let s = setup(createOptimizer(name, hp), link);
          if (fp32 && dtype === "float16") s = useFp32Update(s);
          const grads = () => ({
            "/a": array(dtype, shapeA, values(shapeA)),
            "/b": array(dtype, shapeB, values(shapeB)),
          });
          for (let i = 0; i < before; i++) s = updateTolerant(setGrads(s, grads()));
          s = setEnabled(s, "/a", false);
          const rule0 = s.rules["/a"];
          const p0 = s.target?.params["/a"];
          if (rule0 === undefined || p0 === undefined) throw new Error("no /a");
          for (let i = 0; i < after; i++) {
            const g = grads();
            s = updateTolerant(setGrads(s, g));
            const r = s.rules["/a"];
            const p = s.target?.params["/a"];
            if (r === undefined || p === undefined) throw new Error("no /a");
            expect(r.t).toBe(rule0.t);
            expect(r.enabled).toBe(false);
            expect(p.data !== null && p0.data !== null && bitEqual(p.data, p0.data)).toBe(true);
            expect(p.grad !== null && bitEqual(p.grad, g["/a"])).toBe(true);
            if (rule0.state === null) expect(r.state).toBeNull();
            else {
              expect(Object.keys(r.state ?? {})).toEqual(Object.keys(rule0.state));
              for (const [k, v] of Object.entries(rule0.state)) expect(bitEqual(r.state?.[k] as NDArray, v)).toBe(true);
            }
            expect(r.extras).toEqual(rule0.extras);
            expect(
              r.fp32Param === rule0.fp32Param ||
                (r.fp32Param !== null && rule0.fp32Param !== null && bitEqual(r.fp32Param, rule0.fp32Param)),
            ).toBe(true);
          }
        }),
        { numRuns: 25 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// A zero gradient from a fresh state

type ZeroGradOutcome =
  /** the parameter is bitwise unchanged, −0 included */
  | "bitwise"
  /** unchanged on values, but each −0 becomes +0 (`p + (+0)`) */
  | "plus-zero"
  /** every element becomes NaN (an eps that rounds to 0 makes a 0/0) */
  | "nan"
  /** the update raises (RMSprop's eps check) */
  | "error";

interface ZeroGradLaw {
  readonly name: string;
  readonly clause: string;
  readonly hp: fc.Arbitrary<Args>;
  /** What Chainer's formula gives; `D` is the dtype the update computes in (float32 under fp32
   * update), `zeroD` whether the parameter is 0-d (then numpy computes in float64, rule N5). */
  expect(hp: Args, D: Dtype, zeroD: boolean): ZeroGradOutcome;
}

/** An eps that rounds to 0 in D, where D is the computation dtype (never for 0-d parameters). */
const epsVanishes = (hp: Args, D: Dtype, zeroD: boolean): boolean => !zeroD && roundTo(D, hp["eps"] as number) === 0;

const ZERO_GRAD: readonly ZeroGradLaw[] = [
  { name: "SGD", clause: clauses("laws.sgd-zero-grad"), hp: fc.record({ lr: range(0, 1) }), expect: () => "bitwise" },
  {
    name: "MomentumSGD",
    clause: clauses("laws.momentum-sgd-zero-grad"),
    hp: fc.record({ lr: range(0, 1), momentum: range(0, 0.99) }),
    expect: () => "plus-zero",
  },
  {
    name: "CorrectedMomentumSGD",
    clause: clauses("laws.corrected-momentum-sgd-zero-grad"),
    hp: fc.record({ lr: range(0, 1), momentum: range(0, 0.99) }),
    expect: () => "plus-zero",
  },
  {
    name: "NesterovAG",
    clause: clauses("laws.nesterov-ag-zero-grad"),
    hp: fc.record({ lr: range(0, 1), momentum: range(0, 0.99) }),
    expect: () => "plus-zero",
  },
  {
    name: "AdaGrad",
    clause: clauses("laws.adagrad-zero-grad"),
    hp: fc.record({ lr: range(0, 1), eps: EPS }),
    expect: (hp, D, zeroD) => (epsVanishes(hp, D, zeroD) ? "nan" : "bitwise"),
  },
  {
    name: "AdaDelta",
    clause: clauses("laws.adadelta-zero-grad"),
    hp: fc.record({ rho: range(0, 0.99), eps: EPS }),
    expect: (hp, D, zeroD) => (epsVanishes(hp, D, zeroD) ? "nan" : "bitwise"),
  },
  {
    name: "Adam",
    clause: clauses("laws.adam-zero-grad"),
    hp: fc.record({ ...ADAM_CORE, ...BOUND, amsgrad: fc.boolean(), adabound: fc.boolean() }),
    expect: () => "bitwise",
  },
  {
    name: "RMSprop",
    clause: clauses("laws.rmsprop-zero-grad"),
    hp: fc.record({ lr: range(0, 1), alpha: range(0, 0.99), eps: EPS, eps_inside_sqrt: fc.boolean() }),
    // The eps check looks at the gradient's dtype, even for 0-d parameters.
    expect: (hp, D) => (roundTo(D, hp["eps"] as number) === 0 ? "error" : "bitwise"),
  },
  {
    name: "RMSpropGraves",
    clause: clauses("laws.rmsprop-graves-zero-grad"),
    hp: fc.record({ lr: range(0, 1), alpha: range(0, 0.99), momentum: range(0, 0.99), eps: EPS }),
    expect: (hp, D, zeroD) => (epsVanishes(hp, D, zeroD) ? "nan" : "plus-zero"),
  },
  {
    name: "SMORMS3",
    clause: clauses("laws.smorms3-zero-grad"),
    hp: fc.oneof(fc.record({ lr: range(0, 1), eps: range(1e-20, 1e-3) }), fc.record({ lr: range(0, 1) })),
    expect: (hp, D, zeroD) => (epsVanishes({ eps: 1e-16, ...hp }, D, zeroD) ? "nan" : "bitwise"),
  },
  {
    name: "MSVAG",
    clause: clauses("laws.msvag-zero-grad"),
    hp: fc.record({ lr: range(0, 1), beta: range(0.5, 0.99), eta: range(0, 2) }),
    expect: () => "bitwise",
  },
];

describe("a zero gradient from a fresh state", () => {
  for (const law of ZERO_GRAD) {
    it(`${law.clause}: ${law.name} with +0 gradients`, () => {
      fc.assert(
        fc.property(law.hp, problem({ grad: "zero" }), (hp, pr) => {
          const D: Dtype = pr.fp32 ? "float32" : pr.dtype;
          const outcome = law.expect(hp, D, pr.shape.length === 0);
          const p0 = array(pr.dtype, pr.shape, pr.p);
          if (outcome === "error") {
            let raised: unknown = null;
            try {
              trajectory(law.name, hp, pr);
            } catch (err) {
              raised = err;
            }
            expect(raised).toBeInstanceOf(OptspecError);
            return;
          }
          for (const s of trajectory(law.name, hp, pr)) {
            const p = paramOf(s);
            if (outcome === "bitwise") expect(bitEqual(p, p0)).toBe(true);
            else if (outcome === "plus-zero") {
              const expected = { ...p0, data: p0.data.map((v) => v + 0) }; // −0 + 0 = +0
              expect(bitEqual(p, expected)).toBe(true);
            } else expect(Array.from(p.data).every(Number.isNaN)).toBe(true);
          }
        }),
        RUNS,
      );
    });
  }

  it(`${clauses("laws.momentum-sgd-zero-grad")}: the −0 → +0 change really happens (not bitwise)`, () => {
    const pr: Problem = { dtype: "float32", fp32: false, shape: [2], p: [-0, 1], grads: [[0, 0]] };
    const [s] = trajectory("MomentumSGD", {}, pr);
    expect(Object.is(paramOf(s as OptimizerState).data[0], 0)).toBe(true);
  });

  it(`${clauses("laws.msvag-zero-grad")}: with weight_decay_rate 0, 0·(±inf) = NaN turns infinite parameters into NaN`, () => {
    const param = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity) },
      { weight: 2, arbitrary: finite(4) },
    );
    fc.assert(
      fc.property(
        fc.record({ lr: range(0, 1), beta: range(0.5, 0.99) }),
        problem({ param, grad: finite(4), maxSteps: 1 }),
        (hp, pr) => {
          const [s] = trajectory("MSVAG", hp, pr);
          const p = paramOf(s as OptimizerState);
          pr.p.forEach((v, i) => {
            if (!Number.isFinite(v)) expect(Number.isNaN(p.data[i])).toBe(true);
          });
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Moving without a gradient

describe("moving with a zero gradient", () => {
  it(`${clauses("laws.momentum-sgd-moves-with-momentum")}: a non-zero velocity moves the parameter under a zero gradient`, () => {
    const mag = fc.tuple(fc.boolean(), range(1, 10)).map(([neg, m]) => (neg ? -m : m));
    const arb = fc.record({ lr: range(0.01, 0.1), momentum: range(0.5, 0.99) });
    fc.assert(
      fc.property(arb, problem({ param: range(-1, 1), grad: mag, minSteps: 1, maxSteps: 1 }), (hp, pr) => {
        let s = start("MomentumSGD", hp, pr);
        s = step(s, pr, pr.grads[0] as number[]);
        const p1 = paramOf(s);
        const v1 = s.rules["/p"]?.state?.["v"] as NDArray;
        s = step(
          s,
          pr,
          pr.p.map(() => 0),
        );
        const p2 = paramOf(s);
        const e = epsOf(pr.dtype);
        for (let i = 0; i < p1.data.length; i++) {
          const a = p1.data[i] as number;
          const b = p2.data[i] as number;
          const mv = (hp.momentum as number) * (v1.data[i] as number);
          expect(b).not.toBe(a);
          expect(Math.abs(b - a - mv)).toBeLessThanOrEqual(2 * e * (Math.abs(a) + Math.abs(b) + Math.abs(mv)));
        }
      }),
      RUNS,
    );
  });

  it(`${clauses("laws.adam-weight-decay-moves")}: Adam with weight decay moves a zero-gradient parameter toward 0`, () => {
    const mag = fc.tuple(fc.boolean(), range(0.5, 2)).map(([neg, m]) => (neg ? -m : m));
    const arb = fc.record({
      ...ADAM_CORE,
      eta: range(0.5, 1),
      weight_decay_rate: range(0.01, 0.5),
      amsgrad: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, problem({ param: mag, grad: "zero", maxSteps: 1 }), (hp, pr) => {
        const [s] = trajectory("Adam", hp, pr);
        const p = paramOf(s as OptimizerState);
        const p0 = array(pr.dtype, pr.shape, pr.p);
        const a = 1 - (hp.eta as number) * (hp.weight_decay_rate as number);
        const e = epsOf(pr.dtype);
        for (let i = 0; i < p0.data.length; i++) {
          const before = p0.data[i] as number;
          const after = p.data[i] as number;
          expect(after).not.toBe(before);
          expect(Math.sign(after)).toBe(Math.sign(before));
          expect(Math.abs(after)).toBeLessThan(Math.abs(before));
          expect(Math.abs(after - a * before)).toBeLessThanOrEqual(2 * e * Math.abs(before));
        }
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Rule attributes and checks of the new optimizers

describe("MSVAG and RMSprop specifics", () => {
  it(`${clauses("msvag.beta-power")}: beta_power starts at beta and is multiplied by beta (in double) after each update`, () => {
    fc.assert(
      fc.property(range(0.5, 0.99), problem({ grad: finite(4), maxSteps: 5 }), (beta, pr) => {
        const traj = trajectory("MSVAG", { beta }, pr);
        let bp = beta;
        for (const s of traj) {
          bp = bp * beta;
          expect(s.rules["/p"]?.extras["beta_power"]).toBe(bp);
        }
      }),
      RUNS,
    );
  });

  it(`${clauses("rmsprop.eps-check")}: an eps that rounds to 0 in float16 raises Chainer's ValueError before the state moves`, () => {
    const eps = fc.double({ min: 1e-30, max: 2.9e-8, noNaN: true }).filter((x) => roundTo("float16", x) === 0);
    fc.assert(
      fc.property(
        eps,
        problem({ dtype: fc.constant<Dtype>("float16"), fp32: fc.constant(false), grad: finite(4), maxSteps: 1 }),
        (e, pr) => {
          let raised: unknown = null;
          try {
            trajectory("RMSprop", { eps: e }, pr);
          } catch (err) {
            raised = err;
          }
          expect(raised).toBeInstanceOf(OptspecError);
          const err = raised as OptspecError;
          expect(err.chainer).toEqual({
            type: "ValueError",
            str: `eps of RMSprop optimizer is too small for float16 (${pyFloatRepr(e)})`,
          });
          const partial = err.partial as OptimizerState;
          const rule = partial.rules["/p"];
          expect(rule?.t).toBe(1);
          expect(
            bitEqual(
              rule?.state?.["ms"] as NDArray,
              array(
                "float16",
                pr.shape,
                pr.p.map(() => 0),
              ),
            ),
          ).toBe(true);
          expect(bitEqual(paramOf(partial), array("float16", pr.shape, pr.p))).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
