/**
 * The optimizer registry: one row per Chainer optimizer class. The golden replay, the properties
 * and the conformance kit iterate over this table, so a new optimizer needs a file and a row here.
 */
import type { OptimizerDef } from "./types.js";
import { SGD } from "./sgd.js";
import { MomentumSGD } from "./momentum-sgd.js";
import { Adam } from "./adam.js";
import { AdamW } from "./adamw.js";
import { AMSGrad } from "./amsgrad.js";
import { AdaBound } from "./adabound.js";
import { AMSBound } from "./amsbound.js";

export const OPTIMIZERS: Readonly<Record<string, OptimizerDef>> = {
  SGD,
  MomentumSGD,
  Adam,
  AdamW,
  AMSGrad,
  AdaBound,
  AMSBound,
};

export function getOptimizerDef(name: string): OptimizerDef | undefined {
  return Object.prototype.hasOwnProperty.call(OPTIMIZERS, name) ? OPTIMIZERS[name] : undefined;
}
