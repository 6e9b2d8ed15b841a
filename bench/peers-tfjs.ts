/**
 * TensorFlow.js 4.22.0 as the peer: `tf.train.adam(1e-3, 0.9, 0.999, 1e-8)`,
 * `tf.train.momentum(0.01, 0.9)` and `tf.train.sgd(0.01)`, one step being
 * `opt.applyGradients({name: grad, …})` over one variable of N elements or over 1,000 variables.
 *
 * Forcing the work to finish: the cpu and wasm backends run eagerly (each op is done when it
 * returns, as measured while writing this bench), so inside every timed step we read back
 * one element of the last variable updated (`slice(v, 0, 1).dataSync()`), which costs one op
 * dispatch (~10 µs) instead of copying the whole variable out of the wasm heap (~40 ms at 16 Mi).
 *
 * Not the same arithmetic: TF.js Adam has no weight decay and uses the bias-corrected form (about
 * 14 elementwise ops per variable); momentum is `acc = m·acc + g; p -= lr·acc`. Rows count the
 * same bytes per element as ours (bench/bytes.ts): the least the step must move.
 *
 * The wasm binary comes from node_modules through `setWasmPaths` with a file path (no network).
 * Loading the wasm backend grows its heap, which detaches ArrayBuffers: the runner times it last.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as TF from "@tensorflow/tfjs-core";
import { bytesPerElement } from "./bytes.js";
import type { Case } from "./case.js";
import type { PeerName } from "./options.js";
import { uniform } from "./workload.js";

type Tf = typeof TF;

export const PEER_VARIANTS = ["Adam", "MomentumSGD", "SGD"] as const;
export type PeerVariant = (typeof PEER_VARIANTS)[number];

const OP_NAME: Readonly<Record<PeerVariant, string>> = {
  Adam: "tf.train.adam",
  MomentumSGD: "tf.train.momentum",
  SGD: "tf.train.sgd",
};

export interface TfjsPeer {
  readonly name: PeerName;
  readonly version: string;
  readonly wasm: { readonly simd: boolean; readonly threads: number } | null;
  cases(variant: PeerVariant, elements: number, tensors: number): Case;
}

function optimizer(tf: Tf, variant: PeerVariant): TF.Optimizer {
  switch (variant) {
    case "Adam":
      return tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    case "MomentumSGD":
      return tf.train.momentum(0.01, 0.9);
    case "SGD":
      return tf.train.sgd(0.01);
  }
}

let serial = 0;

function peerCase(tf: Tf, name: PeerName, variant: PeerVariant, elements: number, tensors: number): Case {
  return {
    via: "peer",
    backend: name,
    kernel: OP_NAME[variant],
    variant,
    category: "optimizer",
    dtype: "float32",
    elements,
    tensors,
    bytesPerElement: bytesPerElement(variant, "float32") as number,
    prepare() {
      const length = elements / tensors;
      const id = serial++;
      const vars = Array.from({ length: tensors }, (_, i) =>
        tf.variable(
          tf.tensor1d(Float32Array.from(uniform(length, -1, 1, "float32", 11 + i)), "float32"),
          true,
          `bench${id}_${i}`,
        ),
      );
      const grads: TF.NamedTensorMap = {};
      for (const [i, v] of vars.entries())
        grads[v.name] = tf.tensor1d(Float32Array.from(uniform(length, -1, 1, "float32", 5000 + i)), "float32");
      const opt = optimizer(tf, variant);
      const last = vars[vars.length - 1] as TF.Variable;
      return {
        step: () => {
          tf.tidy(() => {
            opt.applyGradients(grads);
            tf.slice(last, [0], [1]).dataSync();
          });
        },
        dispose: () => {
          opt.dispose();
          for (const v of vars) v.dispose();
          for (const g of Object.values(grads)) g.dispose();
        },
      };
    },
  };
}

/** Load TF.js and switch it to the named backend (cpu: pure JS; wasm: the SIMD binary from node_modules). */
export async function loadTfjs(name: PeerName): Promise<TfjsPeer> {
  const tf = await import("@tensorflow/tfjs-core");
  tf.enableProdMode(); // production setting: no debug logging (and no "install tfjs-node" banner)
  let wasm: TfjsPeer["wasm"] = null;
  if (name === "tfjs-cpu") {
    await import("@tensorflow/tfjs-backend-cpu");
    if (!(await tf.setBackend("cpu"))) throw new Error("TF.js cpu backend failed to initialize");
  } else {
    const w = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
    w.setWasmPaths(dist);
    if (!(await tf.setBackend("wasm"))) throw new Error(`TF.js wasm backend failed to initialize from ${dist}`);
    wasm = { simd: Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")), threads: w.getThreadsCount() };
  }
  await tf.ready();
  return {
    name,
    version: tf.version_core,
    wasm,
    cases: (variant, elements, tensors) => peerCase(tf, name, variant, elements, tensors),
  };
}
