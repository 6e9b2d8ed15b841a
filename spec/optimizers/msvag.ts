/**
 * M-SVAG (Balles & Hennig), with Chainer's AdamW-style `eta` and decoupled `weight_decay_rate`.
 * `D` is the parameter dtype; scalars in `[…]₆₄` are Python floats (double), `**` is the C library
 * `pow` (correctly rounded here, rule N8).
 *
 * @clause msvag.beta-power The rule attribute `beta_power` (not part of `state`, not serialized) is
 * set to the rule's `beta` when the rule is created (at setup). It is read, as `bp`, by the update
 * below, and after each update that ran (gradient not None) it becomes `[bp·beta]₆₄`, with the
 * `beta` in effect at that update.
 * @clause msvag.rho In double, left to right:
 * `rho = ([(1−beta)**2]·[1 − bp**2]) / ([(1−bp)**2]·[1 − beta**2])`, then `rho = min(rho, 0.9999)`
 * (Python's `min`: a NaN rho stays NaN). A zero denominator raises Python's
 * `ZeroDivisionError('float division by zero')` (e.g. `beta = 1`), an overflowing `**` raises
 * OverflowError; both before any state is touched.
 * @clause msvag.update Then, each step a numpy operation rounded to D:
 *   1. `m ← m + D([1−beta]₆₄)·(g − m)` (in place)
 *   2. `v ← v + D([1−beta]₆₄)·((g·g) − v)` (in place)
 *   3. `mt = m / D([1−bp]₆₄)`, `vt = v / D([1−bp]₆₄)` (new arrays)
 *   4. `mt2 = mt·mt` (numpy `square`)
 *   5. `s = (vt − mt2) / D([1−rho]₆₄)`
 *   6. `f = clip(mt2 / (mt2 + D(rho)·s), 0, 1)`, then every NaN of `f` is set to +0
 *   7. `p ← p − D(eta)·(((D(lr)·mt)·f) + (D(weight_decay_rate)·p))` (the right-hand side first)
 *   8. `beta_power ← [bp·beta]₆₄` (msvag.beta-power)
 * @clause msvag.defaults `MSVAG(lr=0.1, beta=0.9, eta=1.0, weight_decay_rate=0)` positional in that
 * order; `weight_decay_rate` is the Python int 0. States `m`, `v` = zeros of the parameter's dtype.
 * @clause laws.msvag-zero-grad From a fresh state with a `+0` gradient, `mt = mt2 = s = +0`, so
 * `f = 0/0 = NaN → +0` and the step is `D(eta)·(+0 + D(wdr)·p)`. With `weight_decay_rate = 0` that
 * is `0·p`: ±0 for finite p, so finite parameters stay bitwise unchanged; but `0·(±inf) = NaN`, so an
 * infinite parameter becomes NaN (with any gradient, in fact).
 */
import { type OptimizerDef, type UpdateCall, stateEntry } from "./types.js";
import { add, clip, div, iadd, isub, mul, nanToZero, pyInt, square, sub } from "../numerics/np.js";
import { zerosLike } from "../ndarray.js";
import { type Hyperparams, num } from "../hyperparam.js";
import { type Extras, hpScalar } from "./kernel-scalars.js";
import { pow } from "../numerics/pow.js";
import { MissingRuleAttributeError, ScalarArithmeticError } from "../errors.js";

/** Python `x ** y` on floats: the C `pow`, with CPython's OverflowError for a finite overflow. */
function pyPow(x: number, y: number): number {
  const r = pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y) && !Number.isNaN(r)) {
    throw new ScalarArithmeticError("MSVAG rho", "overflow", "msvag.rho");
  }
  return r;
}

/** Python `a / b` on floats. */
function pyDiv(a: number, b: number): number {
  if (b === 0) throw new ScalarArithmeticError("MSVAG rho", "zero-division", "msvag.rho");
  return a / b;
}

/** @clause msvag.rho */
export function msvagRho(beta: number, betaPower: number): number {
  const rho = pyDiv(
    pyPow(1.0 - beta, 2) * (1.0 - pyPow(betaPower, 2)),
    pyPow(1.0 - betaPower, 2) * (1.0 - pyPow(beta, 2)),
  );
  return 0.9999 < rho ? 0.9999 : rho; // Python's min(rho, 0.9999) keeps rho unless 0.9999 < rho
}

const oneMinusBeta = (hp: Hyperparams): number => 1 - num(hp, "beta");
/** `rho` of the rule's `beta` and `beta_power` (required extras: present when called). */
const rhoOf = (hp: Hyperparams, ex: Extras): number => msvagRho(num(hp, "beta"), ex["beta_power"] as number);
const RHO_MEMO = { hp: ["beta"], extras: ["beta_power"] };

function betaPowerOf(call: Pick<UpdateCall, "extras" | "path">): number {
  const bp = call.extras["beta_power"];
  if (bp === undefined) throw new MissingRuleAttributeError(call.path, "beta_power", "MSVAGRule", "msvag.beta-power");
  return bp;
}

export const MSVAG: OptimizerDef = {
  name: "MSVAG",
  hyperparams: [
    { name: "lr", default: 0.1, type: "float" },
    { name: "beta", default: 0.9, type: "float" },
    { name: "eta", default: 1.0, type: "float" },
    { name: "weight_decay_rate", default: 0, type: "int" },
  ],
  positional: ["lr", "beta", "eta", "weight_decay_rate"],
  clause: "msvag.update",
  stateClauses: { m: "msvag.update", v: "msvag.update" },
  /** @clause msvag.beta-power */
  ruleExtras: (hp) => ({ beta_power: num(hp, "beta") }),
  kernelScalars: {
    scalars: [
      { name: "c", clause: "msvag.update", role: "python", value: oneMinusBeta },
      { name: "cbp", clause: "msvag.update", role: "python", value: (_hp, _t, ex) => 1 - (ex["beta_power"] as number) },
      { name: "rho", clause: "msvag.rho", role: "python", memo: RHO_MEMO, value: (hp, _t, ex) => rhoOf(hp, ex) },
      {
        name: "crho",
        clause: "msvag.update",
        role: "python",
        memo: RHO_MEMO,
        value: (hp, _t, ex) => 1 - rhoOf(hp, ex),
      },
      hpScalar("eta", "msvag.update"),
      hpScalar("lr", "msvag.update"),
      hpScalar("weight_decay_rate", "msvag.update"),
    ],
    states: [{ key: "m" }, { key: "v" }],
    extras: [{ key: "beta_power" }],
  },
  initState: (p) => ({ m: zerosLike(p), v: zerosLike(p) }),
  update(call) {
    const { path, param, grad, state, hp } = call;
    const beta = num(hp, "beta");
    const bp = betaPowerOf(call);
    const rho = msvagRho(beta, bp);
    let m = stateEntry({ state, path }, "m", "msvag.update");
    let v = stateEntry({ state, path }, "v", "msvag.update");
    m = iadd(m, mul(oneMinusBeta(hp), sub(grad, m)));
    v = iadd(v, mul(oneMinusBeta(hp), sub(mul(grad, grad), v)));
    const mt = div(m, 1 - bp);
    const vt = div(v, 1 - bp);
    const mt2 = square(mt);
    const s = div(sub(vt, mt2), 1 - rho);
    const clipped = clip(div(mt2, add(mt2, mul(rho, s))), pyInt(0), pyInt(1));
    const factor = nanToZero(clipped);
    const rhs = mul(num(hp, "eta"), add(mul(mul(num(hp, "lr"), mt), factor), mul(num(hp, "weight_decay_rate"), param)));
    return { param: isub(param, rhs), state: { ...state, m, v }, extras: { ...call.extras, beta_power: bp * beta } };
  },
};
