/**
 * The reference spec as the slow baseline: an optimizer definition's `update` and a hook kind's
 * `perParam` on plain NDArrays (every operation allocates a new Float64Array and rounds to the
 * dtype). Run at the smaller sizes only; the spec's GradientNoise also draws its noise (MT19937),
 * which the kernel timings leave out.
 */
import { type Dtype, type Json, type NDArray, type OptimizerDef, type Param, type RuleState } from "../spec/index.js";
import type { Case } from "./case.js";
import { bytesPerElement, optimizerBytes } from "./bytes.js";
import { RULE_T, benchHook, hyperparamsFor, stateRange, uniform } from "./workload.js";

const PATH = "/w";

function arr(dtype: Dtype, data: Float64Array): NDArray {
  return { dtype, shape: [data.length], data };
}

export function specOptimizerCase(def: OptimizerDef, dtype: Dtype, elements: number): Case {
  return {
    via: "spec",
    backend: "spec",
    kernel: def.kernel ?? def.name,
    variant: def.name,
    category: "optimizer",
    dtype,
    elements,
    tensors: 1,
    bytesPerElement: optimizerBytes(def, dtype),
    prepare() {
      const hp = hyperparamsFor(def);
      let param = arr(dtype, uniform(elements, -1, 1, dtype, 11));
      const grad = arr(dtype, uniform(elements, -1, 1, dtype, 22));
      let state: RuleState = Object.fromEntries(
        Object.keys(def.initState(param, hp)).map((k, i) => [
          k,
          arr(dtype, uniform(elements, ...stateRange(k), dtype, 33 + i)),
        ]),
      );
      const extras = def.ruleExtras?.(hp) ?? {};
      return {
        step: () => {
          const r = def.update({ path: PATH, param, grad, state, hp, t: RULE_T, extras });
          param = r.param;
          state = r.state;
        },
        dispose: () => undefined,
      };
    },
  };
}

export function specHookCase(kindName: string, dtype: Dtype, elements: number): Case | undefined {
  const w = benchHook(kindName);
  const kind = w?.kind;
  // oxlint-disable-next-line typescript/unbound-method -- hook kinds are records of plain functions that never use `this`
  const perParam = kind?.perParam;
  const bpe = bytesPerElement(kindName, dtype);
  if (kind === undefined || w === undefined || perParam === undefined || bpe === undefined) return undefined;
  return {
    via: "spec",
    backend: "spec",
    kernel: w.desc.name,
    variant: kindName,
    category: "hook",
    dtype,
    elements,
    tensors: 1,
    bytesPerElement: bpe,
    ...(w.desc.noise !== undefined ? { note: "the spec also draws the noise" } : {}),
    prepare() {
      const data = arr(dtype, uniform(elements, -1, 1, dtype, 11));
      let grad: NDArray = arr(dtype, uniform(elements, -1, 1, dtype, 22));
      let hookState: Json = kind.initialState?.(w.args) ?? null;
      const rule = { t: RULE_T, hyperparam: {}, path: PATH };
      return {
        step: () => {
          const param: Param = { dtype, shape: [elements], data, grad, gradValid: true, lossScale: null };
          const r = perParam({ args: w.args, state: hookState, rule, param, path: PATH });
          if (r.grad !== null) grad = r.grad;
          if (r.state !== undefined) hookState = r.state;
        },
        dispose: () => undefined,
      };
    },
  };
}
