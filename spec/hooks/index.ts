/** The six built-in hooks, registered in the hook-kind registry on import. */
import { registerHookKind } from "./registry.js";
import { WeightDecay } from "./weight-decay.js";
import { Lasso } from "./lasso.js";
import { GradientHardClipping } from "./gradient-hard-clipping.js";
import { GradientClipping } from "./gradient-clipping.js";
import { GradientNoise } from "./gradient-noise.js";
import { GradientLARS } from "./gradient-lars.js";

export const BUILTIN_HOOKS = {
  WeightDecay,
  Lasso,
  GradientHardClipping,
  GradientClipping,
  GradientNoise,
  GradientLARS,
};

for (const kind of Object.values(BUILTIN_HOOKS)) registerHookKind(kind);

export { weightDecay } from "./weight-decay.js";
export { lasso } from "./lasso.js";
export { gradientHardClipping } from "./gradient-hard-clipping.js";
export { gradientClipping } from "./gradient-clipping.js";
export {
  gradientNoise,
  registerNoiseFunction,
  getNoiseFunction,
  type NoiseFunction,
  type NoiseCall,
} from "./gradient-noise.js";
export { gradientLARS } from "./gradient-lars.js";
export { registerHookKind, getHookKind, hookKindNames } from "./registry.js";
export type * from "./types.js";
export { weightDecayRate } from "./weight-decay.js";
export { clippingRate, clippingPlan } from "./gradient-clipping.js";
export { larsRate } from "./gradient-lars.js";
export { drawNoise } from "./gradient-noise.js";
