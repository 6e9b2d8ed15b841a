/**
 * Arithmetic mistakes as numerics contexts (`spec/numerics/context.ts`): the spec's own formulas,
 * unchanged, evaluated with a fused multiply-add, with float64 intermediates rounded once when
 * stored, with Python-float scalars left unrounded, with subnormals flushed to zero, or with the
 * parameter's update reading the state from before this step.
 */
import {
  type Dtype,
  type NDArray,
  type NumericsContext,
  type OpRequest,
  astype,
  np,
  roundTo,
  withNumerics,
} from "../../spec/index.js";

type Operand = OpRequest["operands"][number];

const isArr = (o: Operand | undefined): o is NDArray => typeof o === "object" && o !== null && "data" in o;

/** numpy's own result for a request (no context in force while computing it). */
export function plain(req: OpRequest): NDArray {
  const PLAIN: NumericsContext = { op: () => undefined };
  return withNumerics(PLAIN, () => dispatch(req));
}

function dispatch(req: OpRequest): NDArray {
  const [a, b, c] = [req.operands[0] ?? null, req.operands[1] ?? null, req.operands[2] ?? null];
  const n = (o: Operand) => o as Exclude<Operand, null>;
  switch (req.op) {
    case "add":
      return np.add(n(a), n(b));
    case "sub":
      return np.sub(n(a), n(b));
    case "mul":
      return np.mul(n(a), n(b));
    case "div":
      return np.div(n(a), n(b));
    case "sqrt":
      return np.sqrt(a as NDArray);
    case "square":
      return np.square(a as NDArray);
    case "maximum":
      return np.maximum(n(a), n(b));
    case "minimum":
      return np.minimum(n(a), n(b));
    case "clip":
      return np.clip(a as NDArray, b ?? null, c ?? null);
    case "sign":
      return np.sign(a as NDArray);
    case "nanToZero":
      return np.nanToZero(a as NDArray);
    case "assign":
      return np.assignTo(a as NDArray, b as NDArray);
    case "astype":
      return astype(a as NDArray, req.dtype);
    case "dot":
      return np.dotSelf(a as NDArray);
  }
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

/** `a·b` split into its double product and the product's rounding error (exact: a·b = hi + lo). */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const split = (x: number): [number, number] => {
    const t = 134217729 * x;
    const h = t - (t - x);
    return [h, x - h];
  };
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const lo = al * bl - (hi - ah * bh - al * bh - ah * bl);
  return [hi, Number.isFinite(lo) ? lo : 0];
}

/**
 * Every `x·y ± z` fused: the product unrounded when it meets the addition, one rounding. A product
 * stored in place (`v *= momentum`) and then added to stays fused, as it does in a kernel that keeps
 * `v` in a register across the two statements.
 */
export function fusedMultiplyAdd(): NumericsContext {
  const products = new WeakMap<NDArray, { hi: Float64Array; lo: Float64Array }>();
  return {
    op(req) {
      if (req.op === "assign") {
        const [target, value] = req.operands;
        const p = isArr(value) ? products.get(value) : undefined;
        if (p === undefined || !isArr(target) || !isArr(value) || target.dtype !== value.dtype) return undefined;
        const r = plain(req);
        products.set(r, p);
        return r;
      }
      if (req.op === "mul") {
        const r = plain(req);
        const [a, b] = req.operands.map((o) => np.operandReader(o as Exclude<Operand, null>, req.dtype));
        const n = sizeOf(req.shape);
        const hi = new Float64Array(n);
        const lo = new Float64Array(n);
        for (let i = 0; i < n; i++) [hi[i], lo[i]] = twoProduct((a as np.Reader)(i), (b as np.Reader)(i));
        products.set(r, { hi, lo });
        return r;
      }
      if (req.op !== "add" && req.op !== "sub") return undefined;
      const [x, y] = req.operands;
      const px = isArr(x) ? products.get(x) : undefined;
      const py = isArr(y) ? products.get(y) : undefined;
      if (px === undefined && py === undefined) return undefined;
      const sign = req.op === "sub" ? -1 : 1;
      const n = sizeOf(req.shape);
      const rx = np.operandReader(x as Exclude<Operand, null>, req.dtype);
      const ry = np.operandReader(y as Exclude<Operand, null>, req.dtype);
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // Fuse one product (the first operand's when both are products, as a compiler would).
        const v =
          px !== undefined
            ? (px.hi[i] as number) + sign * ry(i) + (px.lo[i] as number)
            : rx(i) + sign * (py!.hi[i] as number) + sign * (py!.lo[i] as number);
        data[i] = roundTo(req.dtype, v);
      }
      return { dtype: req.dtype, shape: [...req.shape], data };
    },
  };
}

const ARITH = new Set(["add", "sub", "mul", "div", "sqrt", "square", "maximum", "minimum", "clip"]);

/** Intermediates in float64 (Python floats unrounded), each stored value rounded once to its array. */
export function float64Intermediates(): NumericsContext {
  return {
    op(req) {
      if (!ARITH.has(req.op)) return undefined;
      const narrow = req.operands.some((o) => isArr(o) && o.shape.length > 0 && o.dtype !== "float64");
      if (!narrow) return undefined; // already float64: numpy's own arithmetic
      const wide = req.operands.map((o) => (isArr(o) && o.dtype !== "float64" ? astype(o, "float64") : o));
      return dispatch({ ...req, operands: wide, dtype: "float64" });
    },
  };
}

/** Python-float scalars meeting a narrower array used unrounded; each result rounded once. */
export function scalarUnrounded(): NumericsContext {
  return {
    op(req) {
      if (!ARITH.has(req.op) || req.dtype === "float64") return undefined;
      if (!req.operands.some((o) => typeof o === "number")) return undefined;
      const wide = req.operands.map((o) => (isArr(o) && o.dtype !== "float64" ? astype(o, "float64") : o));
      const r = plain({ ...req, operands: wide, dtype: "float64" });
      return { dtype: req.dtype, shape: r.shape, data: r.data.map((v) => roundTo(req.dtype, v)) };
    },
  };
}

function tiny(dtype: Dtype): number {
  return dtype === "float16" ? 6.103515625e-5 : dtype === "float32" ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
}

function flush(a: NDArray): NDArray {
  const t = tiny(a.dtype);
  let changed = false;
  const data = a.data.map((x) => {
    if (x !== 0 && Math.abs(x) < t) {
      changed = true;
      return x < 0 ? -0 : 0;
    }
    return x;
  });
  return changed ? { ...a, data } : a;
}

/** Subnormal inputs read as zero and subnormal results flushed to zero (FTZ/DAZ). */
export function flushSubnormals(): NumericsContext {
  return {
    op(req) {
      if (!ARITH.has(req.op) && req.op !== "assign") return undefined;
      const ops = req.operands.map((o) => (isArr(o) ? flush(o) : o));
      return flush(plain({ ...req, operands: ops }));
    },
  };
}

/** Storing into any of `stale` keeps the old values: later reads see the state from before this step. */
export function staleState(stale: readonly NDArray[]): NumericsContext {
  return {
    op(req) {
      if (req.op !== "assign") return undefined;
      const target = req.operands[0];
      return isArr(target) && stale.includes(target) ? target : undefined;
    },
  };
}
