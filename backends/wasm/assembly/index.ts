/**
 * The module's exports: every kernel for float32 (`_f32`) and float64 (`_f64`). Buffers are byte
 * pointers into this module's memory; `tab` points at `count` segment-table rows (`table.ts`).
 * The host owns all memory above `heapBase()`; the module allocates nothing.
 */
import { sgd, momentumSgd, correctedMomentumSgd, nesterovAg } from "./sgd-family";
import { adam } from "./adam";
import { adaGrad, adaDelta, rmsprop, rmspropGraves } from "./adaptive";
import { smorms3, msvag } from "./temporaries";
import { weightDecay, gradientLars, lasso, hardClip, addNoise } from "./hooks";
import { sumSquares, allFinite, scale } from "./reductions";

export function heapBase(): usize {
  return __heap_base;
}

export function sgd_f32(p: usize, g: usize, tab: usize, count: i32): void { sgd<f32>(p, g, tab, count); }
export function sgd_f64(p: usize, g: usize, tab: usize, count: i32): void { sgd<f64>(p, g, tab, count); }
export function momentumSgd_f32(p: usize, g: usize, v: usize, tab: usize, count: i32): void { momentumSgd<f32>(p, g, v, tab, count); }
export function momentumSgd_f64(p: usize, g: usize, v: usize, tab: usize, count: i32): void { momentumSgd<f64>(p, g, v, tab, count); }
export function correctedMomentumSgd_f32(p: usize, g: usize, v: usize, tab: usize, count: i32): void { correctedMomentumSgd<f32>(p, g, v, tab, count); }
export function correctedMomentumSgd_f64(p: usize, g: usize, v: usize, tab: usize, count: i32): void { correctedMomentumSgd<f64>(p, g, v, tab, count); }
export function nesterovAg_f32(p: usize, g: usize, v: usize, tab: usize, count: i32): void { nesterovAg<f32>(p, g, v, tab, count); }
export function nesterovAg_f64(p: usize, g: usize, v: usize, tab: usize, count: i32): void { nesterovAg<f64>(p, g, v, tab, count); }
export function adam_f32(p: usize, g: usize, m: usize, v: usize, vhat: usize, tab: usize, count: i32): void { adam<f32>(p, g, m, v, vhat, tab, count); }
export function adam_f64(p: usize, g: usize, m: usize, v: usize, vhat: usize, tab: usize, count: i32): void { adam<f64>(p, g, m, v, vhat, tab, count); }
export function adaGrad_f32(p: usize, g: usize, h: usize, tab: usize, count: i32): void { adaGrad<f32>(p, g, h, tab, count); }
export function adaGrad_f64(p: usize, g: usize, h: usize, tab: usize, count: i32): void { adaGrad<f64>(p, g, h, tab, count); }
export function adaDelta_f32(p: usize, g: usize, msg: usize, msdx: usize, tab: usize, count: i32): void { adaDelta<f32>(p, g, msg, msdx, tab, count); }
export function adaDelta_f64(p: usize, g: usize, msg: usize, msdx: usize, tab: usize, count: i32): void { adaDelta<f64>(p, g, msg, msdx, tab, count); }
export function rmsprop_f32(p: usize, g: usize, ms: usize, tab: usize, count: i32): void { rmsprop<f32>(p, g, ms, tab, count); }
export function rmsprop_f64(p: usize, g: usize, ms: usize, tab: usize, count: i32): void { rmsprop<f64>(p, g, ms, tab, count); }
export function rmspropGraves_f32(p: usize, g: usize, n: usize, gs: usize, d: usize, tab: usize, count: i32): void { rmspropGraves<f32>(p, g, n, gs, d, tab, count); }
export function rmspropGraves_f64(p: usize, g: usize, n: usize, gs: usize, d: usize, tab: usize, count: i32): void { rmspropGraves<f64>(p, g, n, gs, d, tab, count); }
export function smorms3_f32(p: usize, g: usize, mem: usize, gs: usize, g2: usize, tab: usize, count: i32): void { smorms3<f32>(p, g, mem, gs, g2, tab, count); }
export function smorms3_f64(p: usize, g: usize, mem: usize, gs: usize, g2: usize, tab: usize, count: i32): void { smorms3<f64>(p, g, mem, gs, g2, tab, count); }
export function msvag_f32(p: usize, g: usize, m: usize, v: usize, tab: usize, count: i32): void { msvag<f32>(p, g, m, v, tab, count); }
export function msvag_f64(p: usize, g: usize, m: usize, v: usize, tab: usize, count: i32): void { msvag<f64>(p, g, m, v, tab, count); }

export function weightDecay_f32(g: usize, p: usize, tab: usize, count: i32): void { weightDecay<f32>(g, p, tab, count); }
export function weightDecay_f64(g: usize, p: usize, tab: usize, count: i32): void { weightDecay<f64>(g, p, tab, count); }
export function gradientLars_f32(g: usize, p: usize, tab: usize, count: i32): void { gradientLars<f32>(g, p, tab, count); }
export function gradientLars_f64(g: usize, p: usize, tab: usize, count: i32): void { gradientLars<f64>(g, p, tab, count); }
export function lasso_f32(g: usize, p: usize, tab: usize, count: i32): void { lasso<f32>(g, p, tab, count); }
export function lasso_f64(g: usize, p: usize, tab: usize, count: i32): void { lasso<f64>(g, p, tab, count); }
export function hardClip_f32(g: usize, tab: usize, count: i32): void { hardClip<f32>(g, tab, count); }
export function hardClip_f64(g: usize, tab: usize, count: i32): void { hardClip<f64>(g, tab, count); }
export function addNoise_f32(g: usize, noise: usize, tab: usize, count: i32): void { addNoise<f32>(g, noise, tab, count); }
export function addNoise_f64(g: usize, noise: usize, tab: usize, count: i32): void { addNoise<f64>(g, noise, tab, count); }

export function sumSquares_f32(x: usize, n: i32): f64 { return sumSquares<f32>(x, n); }
export function sumSquares_f64(x: usize, n: i32): f64 { return sumSquares<f64>(x, n); }
export function allFinite_f32(x: usize, n: i32): bool { return allFinite<f32>(x, n); }
export function allFinite_f64(x: usize, n: i32): bool { return allFinite<f64>(x, n); }
export function scale_f32(x: usize, n: i32, rate: f64): void { scale<f32>(x, n, rate); }
export function scale_f64(x: usize, n: i32, rate: f64): void { scale<f64>(x, n, rate); }
