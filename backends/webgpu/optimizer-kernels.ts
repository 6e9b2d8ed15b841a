/**
 * The WGSL bodies of the optimizer kernels, one per kernel of the JS backend, in the spec's order
 * of operations. Each body reads the scalars its optimizer declares (`OptimizerDef.kernelScalars`,
 * by name: a flag is a WGSL `bool`, every other scalar an `f32` rounded on upload exactly as numpy
 * rounds a Python float meeting a float32 array) and the state arrays under the names given here.
 */
import { OPTIMIZERS } from "../../spec/optimizers/registry.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import type { KernelScalars } from "../../spec/optimizers/kernel-scalars.js";
import type { KernelSource } from "./pipeline.js";

export interface OptimizerWgsl {
  /** The WGSL array name of each state key (param and grad are `p` and `g`). */
  readonly arrays: Readonly<Record<string, string>>;
  /** WGSL statements for element `i`. */
  readonly body: string;
}

/** @see sgd.update */
const SGD: OptimizerWgsl = { arrays: {}, body: `    p[i] = p[i] - lr * g[i];` };

/** @see momentum-sgd.update */
const MomentumSGD: OptimizerWgsl = {
  arrays: { v: "v" },
  body: `    let vi = v[i] * momentum - lr * g[i];
    v[i] = vi;
    p[i] = p[i] + vi;`,
};

/** @see corrected-momentum-sgd.update */
const CorrectedMomentumSGD: OptimizerWgsl = {
  arrays: { v: "v" },
  body: `    let vi = v[i] * momentum - g[i];
    v[i] = vi;
    p[i] = p[i] + lr * vi;`,
};

/** @see adagrad.update */
const AdaGrad: OptimizerWgsl = {
  arrays: { h: "h" },
  body: `    let gi = g[i];
    let hi = h[i] + gi * gi;
    h[i] = hi;
    p[i] = p[i] - (lr * gi) / (sqrt(hi) + eps);`,
};

/** @see adadelta.update */
const AdaDelta: OptimizerWgsl = {
  arrays: { msg: "msg", msdx: "msdx" },
  body: `    let gi = g[i];
    let msgi = msg[i] * rho + (c * gi) * gi;
    msg[i] = msgi;
    let sd = msdx[i];
    let dx = sqrt((sd + eps) / (msgi + eps)) * gi;
    msdx[i] = sd * rho + (c * dx) * dx;
    p[i] = p[i] - dx;`,
};

/** @see nesterov-ag.update */
const NesterovAG: OptimizerWgsl = {
  arrays: { v: "v" },
  body: `    let gi = g[i];
    let vi = v[i] * momentum - lr * gi;
    v[i] = vi;
    let pi = p[i] + momentum_sq * vi;
    p[i] = pi - lookahead_lr * gi;`,
};

/** @see rmsprop.update (`eps` is a numpy scalar of the dtype) */
const RMSprop: OptimizerWgsl = {
  arrays: { ms: "ms" },
  body: `    let gi = g[i];
    let msi = ms[i] * alpha + (c * gi) * gi;
    ms[i] = msi;
    var denom: f32;
    if (eps_inside_sqrt) { denom = sqrt(msi + eps); } else { denom = sqrt(msi) + eps; }
    p[i] = p[i] - (lr * gi) / denom;`,
};

/** @see rmsprop-graves.update (the state "g" is `gs` here) */
const RMSpropGraves: OptimizerWgsl = {
  arrays: { n: "n", g: "gs", delta: "delta" },
  body: `    let gi = g[i];
    let ni = n[i] * alpha + (c * gi) * gi;
    n[i] = ni;
    let gsi = gs[i] * alpha + c * gi;
    gs[i] = gsi;
    let den = sqrt((ni - gsi * gsi) + eps);
    let di = delta[i] * momentum - (lr * gi) / den;
    delta[i] = di;
    p[i] = p[i] + di;`,
};

/** @see smorms3.update (the literals 1 are Python ints, exact in float32) */
const SMORMS3: OptimizerWgsl = {
  arrays: { mem: "mem", g: "gs", g2: "g2s" },
  body: `    let gr = g[i];
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
    g2s[i] = g2n;`,
};

/** @see msvag.update (`beta_power` is advanced by the spec, not here) */
const MSVAG: OptimizerWgsl = {
  arrays: { m: "m", v: "v" },
  body: `    let gi = g[i];
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
    p[i] = pi - eta * ((lr * mt) * f + weight_decay_rate * pi);`,
};

/** @see adam.update.moments, adam.update.amsgrad, adam.update.step, adam.bounds, adam.update.param */
const Adam: OptimizerWgsl = {
  arrays: { m: "m", v: "v", vhat: "vh" },
  body: `    let gi = g[i];
    let mi = m[i] + c1 * (gi - m[i]);
    let vi = v[i] + c2 * ((gi * gi) - v[i]);
    m[i] = mi;
    v[i] = vi;
    var u = vi;
    if (amsgrad) { u = np_max(vh[i], vi); vh[i] = u; }
    var st = alpha_t / (sqrt(u) + eps);
    if (adabound) { st = np_min(np_max(st, lower), upper); }
    let y = st * mi;
    if (decay) { p[i] = a * p[i] + b * y; } else { p[i] = p[i] + b * y; }`,
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

/** The optimizer definition whose kernel a WGSL body implements (the AdamRule family shares "Adam"). */
export function kernelDef(kernel: string): OptimizerDef & { readonly kernelScalars: KernelScalars } {
  const def = Object.values(OPTIMIZERS).find((d) => (d.kernel ?? d.name) === kernel);
  if (def === undefined || def.kernelScalars === undefined)
    throw new TypeError(`webgpu backend: no optimizer declares the scalars of kernel ${kernel}`);
  return def as OptimizerDef & { readonly kernelScalars: KernelScalars };
}

/** The kernel source: `p`, `g`, then the states in declared order; the declared scalars and flags by name. */
export function optimizerSource(kernel: string, w: OptimizerWgsl): KernelSource {
  const desc = kernelDef(kernel).kernelScalars;
  return {
    name: kernel,
    arrays: ["p", "g", ...desc.states.map((s) => w.arrays[s.key] ?? s.key)],
    scalars: desc.scalars.filter((s) => s.role !== "flag").map((s) => s.name),
    flags: desc.scalars.filter((s) => s.role === "flag").map((s) => s.name),
    body: w.body,
  };
}
