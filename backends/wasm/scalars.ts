/**
 * Which Wasm export serves each optimizer kernel, and the row the export reads. Scalars are not
 * computed here: `backends/kernel-scalars.ts` packs them for every backend from the optimizers'
 * own declarations (`OptimizerDef.kernelScalars`); the Wasm kernels read that row
 * (`[offset, length, spec, scalars…]`) at a fixed stride, by position. `fields` lists the scalar
 * names in the positions `assembly/` reads them, so a change to a declaration's order or names
 * fails at construction (`checkLayout`) instead of silently misreading.
 */
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import { scalarLayout } from "../kernel-scalars.js";
import { ROW_F64 } from "./memory.js";

export interface OptimizerLayout {
  readonly exportName: string;
  /** Scalar names at row slots 3, 4, … as the Wasm kernel reads them. */
  readonly fields: readonly string[];
}

export const OPTIMIZER_LAYOUTS: Readonly<Record<string, OptimizerLayout>> = {
  SGD: { exportName: "sgd", fields: ["lr"] },
  MomentumSGD: { exportName: "momentumSgd", fields: ["lr", "momentum"] },
  CorrectedMomentumSGD: { exportName: "correctedMomentumSgd", fields: ["lr", "momentum"] },
  NesterovAG: { exportName: "nesterovAg", fields: ["lr", "momentum", "momentum_sq", "lookahead_lr"] },
  Adam: {
    exportName: "adam",
    fields: ["c1", "c2", "alpha_t", "eps", "amsgrad", "adabound", "lower", "upper", "decay", "a", "b"],
  },
  AdaGrad: { exportName: "adaGrad", fields: ["lr", "eps"] },
  AdaDelta: { exportName: "adaDelta", fields: ["rho", "c", "eps"] },
  RMSprop: { exportName: "rmsprop", fields: ["lr", "alpha", "c", "eps", "eps_inside_sqrt"] },
  RMSpropGraves: { exportName: "rmspropGraves", fields: ["lr", "alpha", "c", "momentum", "eps"] },
  SMORMS3: { exportName: "smorms3", fields: ["lr", "eps"] },
  MSVAG: { exportName: "msvag", fields: ["c", "cbp", "rho", "crho", "eta", "lr", "weight_decay_rate"] },
};

/** Throws unless the optimizer declares exactly these scalars, in this order, within one table row. */
export function checkLayout(def: OptimizerDef, layout: OptimizerLayout): void {
  const desc = def.kernelScalars;
  if (desc === undefined) throw new TypeError(`wasm backend: ${def.name} declares no kernel scalars`);
  const { field, stride } = scalarLayout(desc);
  const got = Object.keys(field).filter((k) => k !== "offset" && k !== "length" && k !== "spec");
  const ok = got.length === layout.fields.length && layout.fields.every((name, i) => field[name] === 3 + i);
  if (!ok || stride > ROW_F64) {
    throw new TypeError(
      `wasm backend: ${def.name} declares scalars [${got.join(", ")}], the Wasm kernel reads [${layout.fields.join(", ")}]`,
    );
  }
}
