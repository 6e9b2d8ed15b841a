/**
 * AdaGrad, AdaDelta, RMSprop and RMSpropGraves: the JS backend's loops with the same operations in
 * the same order, T lanes at a time and a scalar tail (see `sgd-family.ts` for why that is exact).
 */
import { lanes, rowAt, rowByteOffset, rowLength, scalar } from "./table";

/** `h ← h + g·g; p ← p − (D(lr)·g) / (sqrt(h) + D(eps))` (`adagrad.update`). Row: lr, eps. */
@inline export function adaGrad<T>(p: usize, g: usize, h: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const lr = <T>scalar(row, 0);
    const eps = <T>scalar(row, 1);
    const vlr = v128.splat<T>(lr);
    const veps = v128.splat<T>(eps);
    const pp = p + base;
    const gp = g + base;
    const hp = h + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const gi = v128.load(gp + o);
      const hi = v128.add<T>(v128.load(hp + o), v128.mul<T>(gi, gi));
      v128.store(hp + o, hi);
      const d = v128.div<T>(v128.mul<T>(vlr, gi), v128.add<T>(v128.sqrt<T>(hi), veps));
      v128.store(pp + o, v128.sub<T>(v128.load(pp + o), d));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const gi = load<T>(gp + o);
      const hi: T = load<T>(hp + o) + gi * gi;
      store<T>(hp + o, hi);
      store<T>(pp + o, load<T>(pp + o) - (lr * gi) / (sqrt<T>(hi) + eps));
    }
  }
}

/**
 * AdaDelta (`adadelta.update`): `msg ← msg·D(ρ) + (D(1−ρ)·g)·g`;
 * `dx = sqrt((msdx + D(eps)) / (msg + D(eps)))·g`; `msdx ← msdx·D(ρ) + (D(1−ρ)·dx)·dx`; `p ← p − dx`.
 * Row: rho, 1−rho, eps.
 */
@inline export function adaDelta<T>(p: usize, g: usize, msg: usize, msdx: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    const rho = <T>scalar(row, 0);
    const c = <T>scalar(row, 1);
    const eps = <T>scalar(row, 2);
    const vrho = v128.splat<T>(rho);
    const vc = v128.splat<T>(c);
    const veps = v128.splat<T>(eps);
    const pp = p + base;
    const gp = g + base;
    const ap = msg + base;
    const bp = msdx + base;
    const nv = n & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const gi = v128.load(gp + o);
      const msgi = v128.add<T>(v128.mul<T>(v128.load(ap + o), vrho), v128.mul<T>(v128.mul<T>(vc, gi), gi));
      v128.store(ap + o, msgi);
      const sd = v128.load(bp + o);
      const dx = v128.mul<T>(v128.sqrt<T>(v128.div<T>(v128.add<T>(sd, veps), v128.add<T>(msgi, veps))), gi);
      v128.store(bp + o, v128.add<T>(v128.mul<T>(sd, vrho), v128.mul<T>(v128.mul<T>(vc, dx), dx)));
      v128.store(pp + o, v128.sub<T>(v128.load(pp + o), dx));
    }
    for (; i < n; i++) {
      const o = <usize>i * sizeof<T>();
      const gi = load<T>(gp + o);
      const msgi: T = load<T>(ap + o) * rho + c * gi * gi;
      store<T>(ap + o, msgi);
      const sd = load<T>(bp + o);
      const dx: T = sqrt<T>((sd + eps) / (msgi + eps)) * gi;
      store<T>(bp + o, sd * rho + c * dx * dx);
      store<T>(pp + o, load<T>(pp + o) - dx);
    }
  }
}

@inline function rmspropSegment<T>(p: usize, g: usize, ms: usize, n: i32, row: usize, inside: bool): void {
  const lr = <T>scalar(row, 0);
  const alpha = <T>scalar(row, 1);
  const c = <T>scalar(row, 2);
  const e = <T>scalar(row, 3);
  const vlr = v128.splat<T>(lr);
  const valpha = v128.splat<T>(alpha);
  const vc = v128.splat<T>(c);
  const ve = v128.splat<T>(e);
  const nv = n & ~(lanes<T>() - 1);
  let i = 0;
  for (; i < nv; i += lanes<T>()) {
    const o = <usize>i * sizeof<T>();
    const gi = v128.load(g + o);
    const msi = v128.add<T>(v128.mul<T>(v128.load(ms + o), valpha), v128.mul<T>(v128.mul<T>(vc, gi), gi));
    v128.store(ms + o, msi);
    const denom = inside ? v128.sqrt<T>(v128.add<T>(msi, ve)) : v128.add<T>(v128.sqrt<T>(msi), ve);
    v128.store(p + o, v128.sub<T>(v128.load(p + o), v128.div<T>(v128.mul<T>(vlr, gi), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i * sizeof<T>();
    const gi = load<T>(g + o);
    const msi: T = load<T>(ms + o) * alpha + c * gi * gi;
    store<T>(ms + o, msi);
    const denom: T = inside ? sqrt<T>(msi + e) : sqrt<T>(msi) + e;
    store<T>(p + o, load<T>(p + o) - (lr * gi) / denom);
  }
}

/**
 * RMSprop (`rmsprop.update`): `ms ← ms·D(α) + (D(1−α)·g)·g`; `p ← p − (D(lr)·g) / denom` with
 * `denom = sqrt(ms + D(eps))` (eps_inside_sqrt) or `sqrt(ms) + D(eps)`. Row: lr, alpha, 1−alpha,
 * eps, eps_inside_sqrt.
 */
@inline export function rmsprop<T>(p: usize, g: usize, ms: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const n = rowLength(row);
    if (scalar(row, 4) != 0) rmspropSegment<T>(p + base, g + base, ms + base, n, row, true);
    else rmspropSegment<T>(p + base, g + base, ms + base, n, row, false);
  }
}

/**
 * RMSpropGraves (`rmsprop-graves.update`): `n ← n·D(α) + (D(1−α)·g)·g`; `gs ← gs·D(α) + D(1−α)·g`;
 * `δ ← δ·D(μ) − (D(lr)·g) / sqrt((n − gs·gs) + D(eps))`; `p ← p + δ`. Row: lr, alpha, 1−alpha,
 * momentum, eps.
 */
@inline export function rmspropGraves<T>(p: usize, g: usize, nb: usize, gsb: usize, db: usize, tab: usize, count: i32): void {
  for (let k = 0; k < count; k++) {
    const row = rowAt(tab, k);
    const base = rowByteOffset<T>(row);
    const len = rowLength(row);
    const lr = <T>scalar(row, 0);
    const alpha = <T>scalar(row, 1);
    const c = <T>scalar(row, 2);
    const mom = <T>scalar(row, 3);
    const eps = <T>scalar(row, 4);
    const vlr = v128.splat<T>(lr);
    const valpha = v128.splat<T>(alpha);
    const vc = v128.splat<T>(c);
    const vmom = v128.splat<T>(mom);
    const veps = v128.splat<T>(eps);
    const pp = p + base;
    const gp = g + base;
    const np = nb + base;
    const sp = gsb + base;
    const dp = db + base;
    const nv = len & ~(lanes<T>() - 1);
    let i = 0;
    for (; i < nv; i += lanes<T>()) {
      const o = <usize>i * sizeof<T>();
      const gi = v128.load(gp + o);
      const ni = v128.add<T>(v128.mul<T>(v128.load(np + o), valpha), v128.mul<T>(v128.mul<T>(vc, gi), gi));
      v128.store(np + o, ni);
      const gsi = v128.add<T>(v128.mul<T>(v128.load(sp + o), valpha), v128.mul<T>(vc, gi));
      v128.store(sp + o, gsi);
      const den = v128.sqrt<T>(v128.add<T>(v128.sub<T>(ni, v128.mul<T>(gsi, gsi)), veps));
      const di = v128.sub<T>(v128.mul<T>(v128.load(dp + o), vmom), v128.div<T>(v128.mul<T>(vlr, gi), den));
      v128.store(dp + o, di);
      v128.store(pp + o, v128.add<T>(v128.load(pp + o), di));
    }
    for (; i < len; i++) {
      const o = <usize>i * sizeof<T>();
      const gi = load<T>(gp + o);
      const ni: T = load<T>(np + o) * alpha + c * gi * gi;
      store<T>(np + o, ni);
      const gsi: T = load<T>(sp + o) * alpha + c * gi;
      store<T>(sp + o, gsi);
      const di: T = load<T>(dp + o) * mom - (lr * gi) / sqrt<T>(ni - gsi * gsi + eps);
      store<T>(dp + o, di);
      store<T>(pp + o, load<T>(pp + o) + di);
    }
  }
}
