/**
 * SMORMS3 (Simon Funk). `D` is the parameter dtype. The literals `1` are Python ints: with an
 * array they stay in D (rule N1); with a 0-d parameter they make the whole computation float64
 * (rule N5), so the states are then replaced by float64 scalars.
 *
 * @clause smorms3.update Each step a numpy operation rounded to D, producing **new** state arrays
 * (the old ones are replaced, not written into; key order stays `mem, g, g2`):
 *   1. `r = 1 / (mem + 1)`
 *   2. `g' = ((1 − r)·g) + (r·grad)`
 *   3. `g2' = ((1 − r)·g2) + ((r·grad)·grad)`
 *   4. `x = (g'·g') / (g2' + D(eps))`
 *   5. `p ← p − ((grad · minimum(x, D(lr))) / (sqrt(g2') + D(eps)))` (in place; numpy `minimum`
 *      propagates NaN)
 *   6. `mem' = 1 + (mem·(1 − x))` (with the old `mem`)
 *   7. the state becomes `{mem: mem', g: g', g2: g2'}`
 * No eps check: the default `eps = 1e-16` rounds to 0 in float16, so where `g2' + 0` is 0 (a zero
 * or tiny gradient from a fresh state) `x = 0/0 = NaN` and the parameter becomes NaN.
 * @clause smorms3.defaults `SMORMS3(lr=0.001, eps=1e-16)` (Python floats, positional in that
 * order); states `mem` = **ones**, `g`, `g2` = zeros, in that order.
 * @clause laws.smorms3-zero-grad From a fresh state with a `+0` gradient: `r = 0.5`, `g' = g2' =
 * +0`, `x = (+0)/D(eps)`. If `D(eps) ≠ 0`, `x = +0`, the step is `(+0·min(0, lr))/D(eps) = +0`, the
 * parameter is bitwise unchanged (−0 included) and `mem' = 2`. If `D(eps) = 0` (float16 without
 * fp32 update and the default eps), `x = NaN` and every parameter element and `mem'` become NaN.
 */
import { type OptimizerDef, stateEntry } from "./types.js";
import { add, div, isub, minimum, mul, pyInt, sqrt, sub } from "../numerics/np.js";
import { onesLike, zerosLike } from "../ndarray.js";
import { num } from "../hyperparam.js";
import { hpScalar, widensDtype } from "./kernel-scalars.js";

export const SMORMS3: OptimizerDef = {
  name: "SMORMS3",
  hyperparams: [
    { name: "lr", default: 0.001, type: "float" },
    { name: "eps", default: 1e-16, type: "float" },
  ],
  positional: ["lr", "eps"],
  clause: "smorms3.update",
  kernelScalars: {
    scalars: [hpScalar("lr", "smorms3.update"), hpScalar("eps", "smorms3.update")],
    states: [{ key: "mem" }, { key: "g" }, { key: "g2" }],
    // numpy 1.x computes `g2' + eps` in a wider dtype, so x and the new `mem` (a fresh array, not
    // an in-place store) change dtype: a buffer of the dtype cannot hold it.
    refuse: (hp, dtype) =>
      widensDtype(dtype, num(hp, "eps"))
        ? `SMORMS3 with eps=${num(hp, "eps")} beyond ${dtype}'s range turns the state mem into a wider array (numpy 1.x); run it through the spec`
        : null,
  },
  initState: (p) => ({ mem: onesLike(p), g: zerosLike(p), g2: zerosLike(p) }),
  update({ path, param, grad, state, hp }) {
    const eps = num(hp, "eps");
    const lr = num(hp, "lr");
    const one = pyInt(1);
    const mem = stateEntry({ state, path }, "mem", "smorms3.update");
    const g0 = stateEntry({ state, path }, "g", "smorms3.update");
    const g20 = stateEntry({ state, path }, "g2", "smorms3.update");
    const r = div(one, add(mem, one));
    const g = add(mul(sub(one, r), g0), mul(r, grad));
    const g2 = add(mul(sub(one, r), g20), mul(mul(r, grad), grad));
    const x = div(mul(g, g), add(g2, eps));
    const p = isub(param, div(mul(grad, minimum(x, lr)), add(sqrt(g2), eps)));
    const mem2 = add(one, mul(mem, sub(one, x)));
    return { param: p, state: { ...state, mem: mem2, g, g2 } };
  },
};
