/**
 * The spec's state machine (`update`) over a model of many small parameters, computing on a
 * backend through backends/engine.ts: what a user of the library runs. It includes the state
 * machine's bookkeeping and the engine's uploads and downloads of every array on every step.
 */
import type { AnyBackend } from "../backends/contract.js";
import { updateOn } from "../backends/engine.js";
import { type Dtype, type HyperValue, type LinkStructure, type NDArray, type OptimizerDef, type Param, createLink, createOptimizer, setup, withParams } from "../spec/index.js";
import type { Case } from "./case.js";
import { optimizerBytes } from "./bytes.js";
import { hyperparamsFor, uniform } from "./workload.js";

function model(dtype: Dtype, tensors: number, length: number) {
  const names = Array.from({ length: tensors }, (_, i) => `p${String(i).padStart(4, "0")}`);
  const structure: LinkStructure = { kind: "link", params: names.map((name) => ({ name, dtype, shape: [length] })), children: [] };
  const arr = (seed: number, lo: number, hi: number): NDArray => ({ dtype, shape: [length], data: uniform(length, lo, hi, dtype, seed) });
  const link = createLink(structure, Object.fromEntries(names.map((n, i) => [`/${n}`, arr(1000 + i, -1, 1)])));
  const grads: Record<string, Param> = {};
  for (const [i, n] of names.entries()) grads[`/${n}`] = { ...(link.params[`/${n}`] as Param), grad: arr(5000 + i, -1, 1) };
  return withParams(link, grads);
}

export function stateMachineCase(backend: AnyBackend, def: OptimizerDef, dtype: Dtype, tensors: number, length: number): Case | undefined {
  const kernelName = def.kernel ?? def.name;
  if (backend.mode !== "sync" || backend.optimizers[kernelName] === undefined || !backend.dtypes.includes(dtype)) return undefined;
  return {
    via: "state-machine",
    backend: backend.name,
    kernel: kernelName,
    variant: def.name,
    category: "optimizer",
    dtype,
    elements: tensors * length,
    tensors,
    bytesPerElement: optimizerBytes(def, dtype),
    note: "spec update() over the model on this backend (engine uploads/downloads included)",
    prepare() {
      const hp = hyperparamsFor(def);
      const args: Record<string, HyperValue> = {};
      for (const k of def.positional) if (hp[k] !== undefined) args[k] = hp[k];
      let state = setup(createOptimizer(def.name, args), model(dtype, tensors, length));
      const upd = updateOn(backend);
      return {
        step: () => {
          state = upd(state);
        },
        dispose: () => undefined,
      };
    },
  };
}
