/**
 * Segment scalars of the Wasm kernels, in one place: for each optimizer kernel, the Python-float
 * scalars its row carries (computed in float64 by the spec's helpers, exactly as the JS backend
 * prepares them), and whether the segment is "wide" for float32 (a scalar beyond float32's range
 * makes numpy 1.x compute in float64; such segments run on the JS backend's exact path instead).
 * The row layout of each kernel is documented next to it in `assembly/`.
 *
 * When the shared kernel-scalar module of the consolidation work lands, this file becomes a thin
 * mapping from its named fields to these row slots.
 */
import type { Segment } from "../contract.js";
import { num, truthy } from "../../spec/hyperparam.js";
import { adaBoundBounds, alphaT } from "../../spec/optimizers/adam.js";
import { msvagRho } from "../../spec/optimizers/msvag.js";
import { wideForF32 } from "../js/memory.js";

/**
 * Fills `out[o…]` with the segment's scalars; returns true when the segment is wide for float32.
 * Throws (before anything is written) where the JS backend refuses the call.
 */
export type RowScalars = (seg: Segment, f32: boolean, out: Float64Array, o: number, hasState: (key: string) => boolean) => boolean;

const anyWide = (f32: boolean, out: Float64Array, o: number, n: number): boolean => {
  if (!f32) return false;
  for (let j = 0; j < n; j++) if (wideForF32(out[o + j]!)) return true;
  return false;
};

const sgd: RowScalars = (seg, f32, out, o) => {
  out[o] = num(seg.hp, "lr");
  return anyWide(f32, out, o, 1);
};

const momentum: RowScalars = (seg, f32, out, o) => {
  out[o] = num(seg.hp, "lr");
  out[o + 1] = num(seg.hp, "momentum");
  return anyWide(f32, out, o, 2);
};

const nesterov: RowScalars = (seg, f32, out, o) => {
  const lr = num(seg.hp, "lr");
  const mu = num(seg.hp, "momentum");
  out[o] = lr;
  out[o + 1] = mu;
  out[o + 2] = mu * mu;
  out[o + 3] = (1 + mu) * lr;
  return anyWide(f32, out, o, 4);
};

// alpha_t costs two correctly rounded powers; consecutive segments of one model usually share
// (alpha, beta1, beta2, t), so the last value is kept (Object.is keys ±0 and NaN exactly).
const alphaMemo = { alpha: NaN, beta1: NaN, beta2: NaN, t: -1, value: NaN };
function alphaTOf(hp: Segment["hp"], t: number): number {
  const alpha = num(hp, "alpha");
  const beta1 = num(hp, "beta1");
  const beta2 = num(hp, "beta2");
  const m = alphaMemo;
  if (t !== m.t || !Object.is(alpha, m.alpha) || !Object.is(beta1, m.beta1) || !Object.is(beta2, m.beta2)) {
    m.value = alphaT(hp, t);
    m.alpha = alpha;
    m.beta1 = beta1;
    m.beta2 = beta2;
    m.t = t;
  }
  return m.value;
}

const adam: RowScalars = (seg, f32, out, o, hasState) => {
  const hp = seg.hp;
  const eps = num(hp, "eps");
  if (f32 && eps !== 0 && Math.fround(eps) === 0) {
    throw new RangeError(`wasm backend: eps of Adam optimizer is too small for float32 (${eps}); the spec raises here`);
  }
  const amsgrad = truthy(hp, "amsgrad");
  if (amsgrad && !hasState("vhat")) throw new TypeError("wasm backend: amsgrad is on but there is no state buffer vhat");
  const adabound = truthy(hp, "adabound");
  let lower = 0;
  let upper = 0;
  if (adabound) {
    const initialAlpha = seg.extras["initial_alpha"];
    if (initialAlpha === undefined) throw new TypeError("wasm backend: AdaBound needs extras.initial_alpha");
    [lower, upper] = adaBoundBounds(hp, seg.t, initialAlpha);
  }
  const eta = num(hp, "eta");
  const a = 1.0 - eta * num(hp, "weight_decay_rate");
  out[o] = 1 - num(hp, "beta1");
  out[o + 1] = 1 - num(hp, "beta2");
  out[o + 2] = alphaTOf(hp, seg.t);
  out[o + 3] = eps;
  out[o + 4] = lower;
  out[o + 5] = upper;
  out[o + 6] = a;
  out[o + 7] = -eta;
  out[o + 8] = amsgrad ? 1 : 0;
  out[o + 9] = adabound ? 1 : 0;
  out[o + 10] = a !== 1 ? 1 : 0;
  return (
    f32 &&
    (wideForF32(out[o]!) ||
      wideForF32(out[o + 1]!) ||
      wideForF32(out[o + 2]!) ||
      wideForF32(eps) ||
      (adabound && (wideForF32(lower) || wideForF32(upper))) ||
      (a !== 1 && wideForF32(a)) ||
      wideForF32(-eta))
  );
};

const adaGrad: RowScalars = (seg, f32, out, o) => {
  out[o] = num(seg.hp, "lr");
  out[o + 1] = num(seg.hp, "eps");
  return anyWide(f32, out, o, 2);
};

const adaDelta: RowScalars = (seg, f32, out, o) => {
  const rho = num(seg.hp, "rho");
  out[o] = rho;
  out[o + 1] = 1 - rho;
  out[o + 2] = num(seg.hp, "eps");
  return anyWide(f32, out, o, 3);
};

const rmsprop: RowScalars = (seg, f32, out, o) => {
  const alpha = num(seg.hp, "alpha");
  const eps = num(seg.hp, "eps");
  if (f32 && eps !== 0 && Math.fround(eps) === 0) {
    throw new RangeError(`wasm backend: eps of RMSprop optimizer is too small for float32 (${eps}); the spec raises here`);
  }
  out[o] = num(seg.hp, "lr");
  out[o + 1] = alpha;
  out[o + 2] = 1 - alpha;
  out[o + 3] = eps; // a numpy scalar of the dtype: always rounded, never widened
  out[o + 4] = truthy(seg.hp, "eps_inside_sqrt") ? 1 : 0;
  return anyWide(f32, out, o, 3);
};

const rmspropGraves: RowScalars = (seg, f32, out, o) => {
  const alpha = num(seg.hp, "alpha");
  out[o] = num(seg.hp, "lr");
  out[o + 1] = alpha;
  out[o + 2] = 1 - alpha;
  out[o + 3] = num(seg.hp, "momentum");
  out[o + 4] = num(seg.hp, "eps");
  return anyWide(f32, out, o, 5);
};

const smorms3: RowScalars = (seg, f32, out, o) => {
  const eps = num(seg.hp, "eps");
  if (f32 && wideForF32(eps)) {
    throw new RangeError(
      `wasm backend: SMORMS3 with eps=${eps} beyond float32's range turns the float32 state mem into float64 (numpy 1.x); run it through the spec`,
    );
  }
  out[o] = num(seg.hp, "lr");
  out[o + 1] = eps;
  return anyWide(f32, out, o, 1);
};

// rho costs four correctly rounded powers; consecutive segments usually share (beta, beta_power).
const rhoMemo = { beta: NaN, bp: NaN, value: NaN, valid: false };
function rhoOf(beta: number, bp: number): number {
  const m = rhoMemo;
  if (!m.valid || !Object.is(beta, m.beta) || !Object.is(bp, m.bp)) {
    m.valid = false;
    m.value = msvagRho(beta, bp); // raises where Python raises
    m.beta = beta;
    m.bp = bp;
    m.valid = true;
  }
  return m.value;
}

const msvag: RowScalars = (seg, f32, out, o) => {
  const beta = num(seg.hp, "beta");
  const bp = seg.extras["beta_power"];
  if (bp === undefined) throw new TypeError("wasm backend: MSVAG needs extras.beta_power");
  const rho = rhoOf(beta, bp);
  out[o] = 1 - beta;
  out[o + 1] = 1 - bp;
  out[o + 2] = rho;
  out[o + 3] = 1 - rho;
  out[o + 4] = num(seg.hp, "eta");
  out[o + 5] = num(seg.hp, "lr");
  out[o + 6] = num(seg.hp, "weight_decay_rate");
  return anyWide(f32, out, o, 7);
};

/** Per optimizer kernel: the Wasm export's base name, its state buffers in argument order, its row. */
export interface OptimizerLayout {
  readonly exportName: string;
  readonly states: readonly string[];
  /** A state the kernel takes a pointer for but may lack (Adam's vhat without amsgrad). */
  readonly optional?: string;
  readonly row: RowScalars;
}

export const OPTIMIZER_LAYOUTS: Readonly<Record<string, OptimizerLayout>> = {
  SGD: { exportName: "sgd", states: [], row: sgd },
  MomentumSGD: { exportName: "momentumSgd", states: ["v"], row: momentum },
  CorrectedMomentumSGD: { exportName: "correctedMomentumSgd", states: ["v"], row: momentum },
  NesterovAG: { exportName: "nesterovAg", states: ["v"], row: nesterov },
  Adam: { exportName: "adam", states: ["m", "v", "vhat"], optional: "vhat", row: adam },
  AdaGrad: { exportName: "adaGrad", states: ["h"], row: adaGrad },
  AdaDelta: { exportName: "adaDelta", states: ["msg", "msdx"], row: adaDelta },
  RMSprop: { exportName: "rmsprop", states: ["ms"], row: rmsprop },
  RMSpropGraves: { exportName: "rmspropGraves", states: ["n", "g", "delta"], row: rmspropGraves },
  SMORMS3: { exportName: "smorms3", states: ["mem", "g", "g2"], row: smorms3 },
  MSVAG: { exportName: "msvag", states: ["m", "v"], row: msvag },
};
