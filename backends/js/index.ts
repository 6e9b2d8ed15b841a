/**
 * The JS typed-array backend: `Float32Array` / `Float64Array` buffers, synchronous, bit-identical
 * to the spec for float32 and float64 (float16 runs through the spec). Each kernel computes its
 * Python-float scalars once per segment, as the spec does, then runs one monomorphic loop per
 * dtype with `Math.fround` after every operation for float32 (numpy rounds every intermediate).
 */
import type { Backend } from "../contract.js";
import { type JsBuffer, jsMemory } from "./memory.js";
import { jsHooks } from "./hooks.js";
import { jsReductions } from "./reductions.js";
import { jsElementwise } from "./elementwise.js";
import { sgdKernel } from "./optimizers/sgd.js";
import { momentumSgdKernel } from "./optimizers/momentum-sgd.js";
import { adamKernel } from "./optimizers/adam.js";
import { correctedMomentumSgdKernel } from "./optimizers/corrected-momentum-sgd.js";
import { adaGradKernel } from "./optimizers/ada-grad.js";
import { adaDeltaKernel } from "./optimizers/ada-delta.js";
import { nesterovAgKernel } from "./optimizers/nesterov-ag.js";
import { rmspropKernel } from "./optimizers/rmsprop.js";
import { rmspropGravesKernel } from "./optimizers/rmsprop-graves.js";
import { smorms3Kernel } from "./optimizers/smorms3.js";
import { msvagKernel } from "./optimizers/msvag.js";

export type { JsBuffer } from "./memory.js";

export const jsBackend: Backend<JsBuffer> = {
  name: "js",
  description: "Plain JS typed arrays (Float32Array/Float64Array), Math.fround after every float32 operation; exact.",
  dtypes: ["float32", "float64"],
  promise: { kind: "exact" },
  mode: "sync",
  memory: jsMemory,
  optimizers: {
    SGD: sgdKernel,
    MomentumSGD: momentumSgdKernel,
    Adam: adamKernel,
    CorrectedMomentumSGD: correctedMomentumSgdKernel,
    AdaGrad: adaGradKernel,
    AdaDelta: adaDeltaKernel,
    NesterovAG: nesterovAgKernel,
    RMSprop: rmspropKernel,
    RMSpropGraves: rmspropGravesKernel,
    SMORMS3: smorms3Kernel,
    MSVAG: msvagKernel,
  },
  hooks: jsHooks,
  reductions: jsReductions,
  elementwise: jsElementwise,
  available: () => ({ ok: true }),
};
