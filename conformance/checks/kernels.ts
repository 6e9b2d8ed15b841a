/**
 * Per-kernel checks: every optimizer kernel and every per-parameter hook kernel of a backend,
 * diffed against the spec on random lengths, dtypes, hyperparameters, states and special values.
 * The battery is generated from the registries, so a new optimizer or hook is covered for free.
 */
import fc from "fast-check";
import { type Dtype, type OptimizerDef, type HookKind, type NDArray, OPTIMIZERS, BUILTIN_HOOKS, np } from "../../spec/index.js";
import type { AnyBackend } from "../../backends/contract.js";
import { optimizerUpdateOn, perParamHookOn, wholeHookOn } from "../../backends/engine.js";
import { arrayArb, kernelCaseArb, lengthArb } from "../arbitraries.js";
import { hookArgsArb } from "../hook-args.js";
import { describeArray, expectClose } from "./compare.js";
import { type Check, Mismatch } from "./types.js";

export function allowedUlp(backend: AnyBackend, kernel: string): number {
  if (backend.promise.kind === "exact") return 0;
  return backend.promise.bounds[kernel]?.ulp ?? 0;
}

/** The clause a differing output of an optimizer points to. */
export function outputClause(def: OptimizerDef, output: string): string {
  return output === "param" ? def.clause : (def.stateClauses?.[output] ?? def.clause);
}

function optimizerCheck(def: OptimizerDef, dtype: Dtype): Check {
  const kernel = def.kernel ?? def.name;
  return {
    id: `kernel/${def.name}/${dtype}`,
    group: "optimizer kernels",
    kernel,
    dtype,
    clauses: [def.clause, ...Object.values(def.stateClauses ?? {})],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : b.optimizers[kernel] === undefined ? `no ${kernel} kernel` : null),
    property: (ctx, maxUlp) =>
      fc.property(kernelCaseArb(def, dtype), (c) => {
        const call = { path: "/p", param: c.param, grad: c.grad, state: c.state, hp: c.hp, t: c.t, extras: c.extras };
        let expected;
        try {
          expected = def.update(call);
        } catch {
          fc.pre(false); // the spec rejects these settings (e.g. eps too small); nothing to compare
          return;
        }
        const actual = optimizerUpdateOn(ctx.backend, def, call);
        if (actual === undefined) throw new Mismatch({ what: "kernel declined a call the spec accepts", clause: def.clause });
        const tol = allowedUlp(ctx.backend, kernel);
        maxUlp.value = Math.max(maxUlp.value, expectClose("param", outputClause(def, "param"), expected.param, actual.param, tol));
        for (const [k, v] of Object.entries(expected.state)) {
          const a = actual.state[k];
          if (a === undefined) throw new Mismatch({ what: `state ${k} missing`, clause: outputClause(def, k) });
          maxUlp.value = Math.max(maxUlp.value, expectClose(`state.${k}`, outputClause(def, k), v, a, tol));
        }
      }),
  };
}

function hookCheck(kind: HookKind, name: string, dtype: Dtype): Check {
  return {
    id: `hook/${kind.kind}/${dtype}`,
    group: "hook kernels",
    kernel: name,
    dtype,
    clauses: [kind.clause],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : b.hooks[name] === undefined ? `no ${name} kernel` : null),
    property: (ctx, maxUlp) =>
      fc.property(
        lengthArb.chain((n) => fc.record({ p: arrayArb(dtype, n), g: arrayArb(dtype, n), args: hookArgsArb(kind), ls: fc.constantFrom(null, 128, 1000) })),
        ({ p, g, args, ls }) => {
          const param = { dtype, shape: p.shape, data: p, grad: g, gradValid: true, lossScale: ls };
          const state = kind.initialState ? kind.initialState(args) : null;
          const call = { args, state, rule: { t: 3, hyperparam: {}, path: "/p" }, param, path: "/p" };
          const expected = (kind.perParam as NonNullable<HookKind["perParam"]>)(call);
          const actual = perParamHookOn(ctx.backend, kind, call);
          if (actual === undefined) throw new Mismatch({ what: "hook kernel declined a call", clause: kind.clause });
          if (expected.grad !== null && actual.grad !== null) {
            maxUlp.value = Math.max(maxUlp.value, expectClose("grad", kind.clause, expected.grad, actual.grad, allowedUlp(ctx.backend, name)));
          }
        },
      ),
  };
}

/** A whole hook (GradientClipping): every gradient's norm, one rate, `scale` applied to each. */
function wholeCheck(kind: HookKind, scaleClause: string, dtype: Dtype): Check {
  return {
    id: `hook/${kind.kind}/${dtype}`,
    group: "hook kernels",
    kernel: kind.kind,
    dtype,
    clauses: [kind.clause, scaleClause, "numerics.dot.sequential"],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : null),
    property: (ctx, maxUlp) =>
      fc.property(fc.array(lengthArb.chain((n) => arrayArb(dtype, n)), { minLength: 1, maxLength: 4 }), hookArgsArb(kind), (gs, args) => {
        const params = gs.map((g, i) => ({ path: `/p${i}`, param: { dtype, shape: g.shape, data: g, grad: g, gradValid: true, lossScale: null } }));
        const call = { args, state: null, params, t: 1 };
        const expected = (kind.whole as NonNullable<HookKind["whole"]>)(call);
        const actual = wholeHookOn(ctx.backend, kind, call);
        if (actual === undefined) throw new Mismatch({ what: "clipping declined", clause: kind.clause });
        for (const [path, g] of Object.entries(expected.grads)) {
          const a = actual.grads[path];
          if (a === undefined) throw new Mismatch({ what: `grad ${path} not rescaled`, clause: scaleClause });
          maxUlp.value = Math.max(maxUlp.value, expectClose(`grad ${path}`, scaleClause, g, a, allowedUlp(ctx.backend, kind.kind)));
        }
        if (Object.keys(actual.grads).length !== Object.keys(expected.grads).length) {
          throw new Mismatch({ what: "rescaled a different set of gradients", clause: scaleClause });
        }
      }),
  };
}

function reductionCheck(dtype: Dtype): Check {
  return {
    id: `reduction/sumSquares+allFinite/${dtype}`,
    group: "reductions",
    kernel: "reductions",
    dtype,
    clauses: ["numerics.dot.sequential", "loss-scale.dynamic.check"],
    applies: (b) => (!b.dtypes.includes(dtype) ? `backend does not compute ${dtype}` : null),
    property: (ctx) =>
      fc.property(lengthArb.chain((n) => arrayArb(dtype, n)), (x) => {
        const b = ctx.backend;
        const buf = b.memory.alloc(dtype, x.data.length);
        b.memory.write(buf, x.data, 0);
        const ss = b.reductions.sumSquares(dtype, buf, 0, x.data.length) as number;
        const expected = np.dotSelf(x).data[0] as number;
        const e: NDArray = { dtype, shape: [1], data: Float64Array.of(expected) };
        expectClose("sumSquares", "numerics.dot.sequential", e, { dtype, shape: [1], data: Float64Array.of(ss) }, allowedUlp(b, "reductions"));
        if ((b.reductions.allFinite(dtype, buf, 0, x.data.length) as boolean) !== np.allFinite(x)) {
          throw new Mismatch({ what: "allFinite", clause: "loss-scale.dynamic.check", detail: `for ${describeArray(x)}` });
        }
      }),
  };
}

export function kernelChecks(): Check[] {
  const out: Check[] = [];
  const dtypes: Dtype[] = ["float16", "float32", "float64"];
  for (const dtype of dtypes) {
    for (const def of Object.values(OPTIMIZERS)) out.push(optimizerCheck(def, dtype));
    for (const kind of Object.values(BUILTIN_HOOKS)) {
      if (kind.kernel?.scope === "param") out.push(hookCheck(kind, kind.kernel.name, dtype));
      else if (kind.kernel?.scope === "whole") out.push(wholeCheck(kind, kind.kernel.clause, dtype));
    }
    out.push(reductionCheck(dtype));
  }
  return out;
}
