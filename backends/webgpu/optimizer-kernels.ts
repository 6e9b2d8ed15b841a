/**
 * The WGSL bodies of the optimizer kernels, one per kernel of the JS backend, in the spec's order
 * of operations (each clause cited at its kernel), with the per-segment scalars each one needs.
 * Scalars are Python floats computed by the spec's helpers in float64 and uploaded as float32
 * (numpy 1.x value-based casting); a segment whose scalar overflows float32 would make numpy compute
 * in float64, so it is marked for the host (the JS kernel, exact by construction).
 */
import type { Segment } from "../contract.js";
import { num, truthy } from "../../spec/hyperparam.js";
import { adaBoundBounds, alphaT } from "../../spec/optimizers/adam.js";
import { msvagRho } from "../../spec/optimizers/msvag.js";
import type { KernelSource } from "./pipeline.js";

/** A segment's scalars (float64, rounded to float32 on upload) and flags. */
export interface SegmentScalars {
  readonly scalars: readonly number[];
  readonly flags: readonly boolean[];
}

export interface OptimizerWgsl {
  readonly source: KernelSource;
  /** State keys bound after `p` and `g`, in `source.arrays` order. */
  readonly state: readonly string[];
  /** State keys that may be absent (a 4-byte stand-in is bound; the flags keep it untouched). */
  readonly optional?: readonly string[];
  /** The segment's scalars; throws where the spec raises. */
  scalarsOf(seg: Segment): SegmentScalars;
}

const plain = (...scalars: number[]): SegmentScalars => ({ scalars, flags: [] });

function extra(seg: Segment, key: string, kernel: string): number {
  const v = seg.extras[key];
  if (v === undefined) throw new TypeError(`webgpu backend: ${kernel} needs extras.${key}`);
  return v;
}

function k(name: string, arrays: string[], scalars: string[], body: string, flags: string[] = []): KernelSource {
  return { name, arrays, scalars, flags, body };
}

/** @see sgd.update — `p ← p − D(lr)·g`. */
const SGD: OptimizerWgsl = {
  source: k("SGD", ["p", "g"], ["lr"], `    p[i] = p[i] - lr * g[i];`),
  state: [],
  scalarsOf: (s) => plain(num(s.hp, "lr")),
};

/** @see momentum-sgd.update */
const MomentumSGD: OptimizerWgsl = {
  source: k("MomentumSGD", ["p", "g", "v"], ["lr", "mu"], `    let vi = v[i] * mu - lr * g[i];
    v[i] = vi;
    p[i] = p[i] + vi;`),
  state: ["v"],
  scalarsOf: (s) => plain(num(s.hp, "lr"), num(s.hp, "momentum")),
};

/** @see corrected-momentum-sgd.update */
const CorrectedMomentumSGD: OptimizerWgsl = {
  source: k("CorrectedMomentumSGD", ["p", "g", "v"], ["lr", "mu"], `    let vi = v[i] * mu - g[i];
    v[i] = vi;
    p[i] = p[i] + lr * vi;`),
  state: ["v"],
  scalarsOf: (s) => plain(num(s.hp, "lr"), num(s.hp, "momentum")),
};

/** @see adagrad.update */
const AdaGrad: OptimizerWgsl = {
  source: k("AdaGrad", ["p", "g", "h"], ["lr", "eps"], `    let gi = g[i];
    let hi = h[i] + gi * gi;
    h[i] = hi;
    p[i] = p[i] - (lr * gi) / (sqrt(hi) + eps);`),
  state: ["h"],
  scalarsOf: (s) => plain(num(s.hp, "lr"), num(s.hp, "eps")),
};

/** @see adadelta.update */
const AdaDelta: OptimizerWgsl = {
  source: k("AdaDelta", ["p", "g", "msg", "msdx"], ["rho", "c", "eps"], `    let gi = g[i];
    let msgi = msg[i] * rho + (c * gi) * gi;
    msg[i] = msgi;
    let sd = msdx[i];
    let dx = sqrt((sd + eps) / (msgi + eps)) * gi;
    msdx[i] = sd * rho + (c * dx) * dx;
    p[i] = p[i] - dx;`),
  state: ["msg", "msdx"],
  scalarsOf: (s) => plain(num(s.hp, "rho"), 1 - num(s.hp, "rho"), num(s.hp, "eps")),
};

/** @see nesterov-ag.update */
const NesterovAG: OptimizerWgsl = {
  source: k("NesterovAG", ["p", "g", "v"], ["lr", "mu", "mu2", "clr"], `    let gi = g[i];
    let vi = v[i] * mu - lr * gi;
    v[i] = vi;
    let pi = p[i] + mu2 * vi;
    p[i] = pi - clr * gi;`),
  state: ["v"],
  scalarsOf: (s) => {
    const lr = num(s.hp, "lr");
    const mu = num(s.hp, "momentum");
    return plain(lr, mu, mu * mu, (1 + mu) * lr);
  },
};

/** @see rmsprop.update (`rmsprop.eps-check` raises before anything is written). */
const RMSprop: OptimizerWgsl = {
  source: k("RMSprop", ["p", "g", "ms"], ["lr", "alpha", "c", "e"], `    let gi = g[i];
    let msi = ms[i] * alpha + (c * gi) * gi;
    ms[i] = msi;
    var denom: f32;
    if (inside) { denom = sqrt(msi + e); } else { denom = sqrt(msi) + e; }
    p[i] = p[i] - (lr * gi) / denom;`, ["inside"]),
  state: ["ms"],
  scalarsOf: (s) => {
    const eps = num(s.hp, "eps");
    if (eps !== 0 && Math.fround(eps) === 0) throw new RangeError(`webgpu backend: eps of RMSprop optimizer is too small for float32 (${eps}); the spec raises here`);
    const alpha = num(s.hp, "alpha");
    // e is a numpy scalar of the dtype: rounded to float32 even beyond its range (never widened).
    return { scalars: [num(s.hp, "lr"), alpha, 1 - alpha, Math.fround(eps)], flags: [truthy(s.hp, "eps_inside_sqrt")] };
  },
};

/** @see rmsprop-graves.update */
const RMSpropGraves: OptimizerWgsl = {
  source: k("RMSpropGraves", ["p", "g", "n", "gs", "delta"], ["lr", "alpha", "c", "mom", "eps"], `    let gi = g[i];
    let ni = n[i] * alpha + (c * gi) * gi;
    n[i] = ni;
    let gsi = gs[i] * alpha + c * gi;
    gs[i] = gsi;
    let den = sqrt((ni - gsi * gsi) + eps);
    let di = delta[i] * mom - (lr * gi) / den;
    delta[i] = di;
    p[i] = p[i] + di;`),
  state: ["n", "g", "delta"],
  scalarsOf: (s) => {
    const alpha = num(s.hp, "alpha");
    return plain(num(s.hp, "lr"), alpha, 1 - alpha, num(s.hp, "momentum"), num(s.hp, "eps"));
  },
};

/** @see smorms3.update (the literals 1 are Python ints, exact in float32). */
const SMORMS3: OptimizerWgsl = {
  source: k("SMORMS3", ["p", "g", "mem", "gs", "g2s"], ["lr", "eps"], `    let gr = g[i];
    let m0 = mem[i];
    let r = 1.0 / (m0 + 1.0);
    let omr = 1.0 - r;
    let rg = r * gr;
    let gn = omr * gs[i] + rg;
    let g2n = omr * g2s[i] + rg * gr;
    let x = (gn * gn) / (g2n + eps);
    let mn = np_min(x, lr);
    p[i] = p[i] - (gr * mn) / (sqrt(g2n) + eps);
    mem[i] = 1.0 + m0 * (1.0 - x);
    gs[i] = gn;
    g2s[i] = g2n;`),
  state: ["mem", "g", "g2"],
  scalarsOf: (s) => plain(num(s.hp, "lr"), num(s.hp, "eps")),
};

/** @see msvag.update (`beta_power` is advanced by the spec, not here). */
const MSVAG: OptimizerWgsl = {
  source: k("MSVAG", ["p", "g", "m", "v"], ["c", "cbp", "rho", "crho", "eta", "lr", "wdr"], `    let gi = g[i];
    let mi = m[i] + c * (gi - m[i]);
    let vi = v[i] + c * ((gi * gi) - v[i]);
    m[i] = mi;
    v[i] = vi;
    let mt = mi / cbp;
    let vt = vi / cbp;
    let mt2 = mt * mt;
    let sv = (vt - mt2) / crho;
    let q = mt2 / (mt2 + rho * sv);
    var f = np_min(np_max(q, 0.0), 1.0);
    if (f != f) { f = 0.0; }
    let pi = p[i];
    p[i] = pi - eta * ((lr * mt) * f + wdr * pi);`),
  state: ["m", "v"],
  scalarsOf: (s) => {
    const beta = num(s.hp, "beta");
    const bp = extra(s, "beta_power", "MSVAG");
    const rho = msvagRho(beta, bp);
    return plain(1 - beta, 1 - bp, rho, 1 - rho, num(s.hp, "eta"), num(s.hp, "lr"), num(s.hp, "weight_decay_rate"));
  },
};

/** @see adam.update.moments, adam.update.amsgrad, adam.update.step, adam.bounds, adam.update.param */
const Adam: OptimizerWgsl = {
  source: k("Adam", ["p", "g", "m", "v", "vh"], ["c1", "c2", "at", "eps", "lo", "hi", "a", "b"], `    let gi = g[i];
    let mi = m[i] + c1 * (gi - m[i]);
    let vi = v[i] + c2 * ((gi * gi) - v[i]);
    m[i] = mi;
    v[i] = vi;
    var u = vi;
    if (ams) { u = np_max(vh[i], vi); vh[i] = u; }
    var st = at / (sqrt(u) + eps);
    if (bound) { st = np_min(np_max(st, lo), hi); }
    let y = st * mi;
    if (decay) { p[i] = a * p[i] + b * y; } else { p[i] = p[i] + b * y; }`, ["ams", "bound", "decay"]),
  state: ["m", "v", "vhat"],
  optional: ["vhat"],
  scalarsOf: (s) => {
    const hp = s.hp;
    const eps = num(hp, "eps");
    if (eps !== 0 && Math.fround(eps) === 0) throw new RangeError(`webgpu backend: eps of Adam optimizer is too small for float32 (${eps}); the spec raises here`);
    const adabound = truthy(hp, "adabound");
    const [lo, hi] = adabound ? adaBoundBounds(hp, s.t, extra(s, "initial_alpha", "AdaBound")) : [0, 0];
    const eta = num(hp, "eta");
    const a = 1.0 - eta * num(hp, "weight_decay_rate");
    return {
      scalars: [1 - num(hp, "beta1"), 1 - num(hp, "beta2"), alphaT(hp, s.t), eps, lo, hi, a, -eta],
      flags: [truthy(hp, "amsgrad"), adabound, a !== 1],
    };
  },
};

export const OPTIMIZER_WGSL: Readonly<Record<string, OptimizerWgsl>> = {
  SGD,
  MomentumSGD,
  CorrectedMomentumSGD,
  AdaGrad,
  AdaDelta,
  NesterovAG,
  RMSprop,
  RMSpropGraves,
  SMORMS3,
  MSVAG,
  Adam,
};
