/**
 * The optimizer registry: one row per Chainer optimizer class. The golden replay, the properties
 * and the conformance kit iterate over this table, so a new optimizer needs a file and a row here.
 *
 * @clause laws.disabled-rule-noop For every optimizer in this table, an update through a rule with
 * `enabled = False` changes nothing of that rule or its parameter: the parameter's data and
 * gradient, the rule's `t`, state (None before the first update) and extras stay bitwise as they
 * were, whatever the gradient and hyperparameters.
 */
import type { OptimizerDef } from "./types.js";
import { SGD } from "./sgd.js";
import { MomentumSGD } from "./momentum-sgd.js";
import { Adam } from "./adam.js";
import { AdamW } from "./adamw.js";
import { AMSGrad } from "./amsgrad.js";
import { AdaBound } from "./adabound.js";
import { AMSBound } from "./amsbound.js";
import { AdaDelta } from "./ada-delta.js";
import { AdaGrad } from "./ada-grad.js";
import { CorrectedMomentumSGD } from "./corrected-momentum-sgd.js";
import { MSVAG } from "./msvag.js";
import { NesterovAG } from "./nesterov-ag.js";
import { RMSprop } from "./rmsprop.js";
import { RMSpropGraves } from "./rmsprop-graves.js";
import { SMORMS3 } from "./smorms3.js";

export const OPTIMIZERS: Readonly<Record<string, OptimizerDef>> = {
  SGD,
  MomentumSGD,
  Adam,
  AdamW,
  AMSGrad,
  AdaBound,
  AMSBound,
  AdaDelta,
  AdaGrad,
  CorrectedMomentumSGD,
  MSVAG,
  NesterovAG,
  RMSprop,
  RMSpropGraves,
  SMORMS3,
};

export function getOptimizerDef(name: string): OptimizerDef | undefined {
  return Object.prototype.hasOwnProperty.call(OPTIMIZERS, name) ? OPTIMIZERS[name] : undefined;
}
