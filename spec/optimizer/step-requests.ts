/**
 * The requests a step program makes. The optimizer's update is written once, as a program (a
 * generator) that decides everything that is not arithmetic and asks for every computation over
 * tensor data through one of these requests; a driver answers them. The spec's own driver answers
 * with the spec's arithmetic (`step-driver.ts`); a resident backend driver answers from buffers it
 * keeps in the backend, batching what commutes.
 *
 * @clause step.program The optimizer's state machine is single-sourced: a driver changes only how a
 * request's arithmetic is computed, never which requests are made, in which order, or what the
 * program does with the answers.
 */
import type { NDArray } from "../ndarray.js";
import type { Link } from "../link.js";
import type { Hyperparams } from "../hyperparam.js";
import type { OptimizerDef, UpdateCall, UpdateResult } from "../optimizers/types.js";
import type { HookKind, PerParamCall, PerParamResult, WholeCall, WholeResult } from "../hooks/types.js";
import type { Dtype } from "../numerics/dtype.js";
import type { LossFunction } from "./loss.js";

export type StepRequest =
  /** Forward, clear (or zero) the gradients, backward with the loss scale (`update.lossfun`). */
  | {
      readonly op: "backward";
      readonly link: Link;
      readonly lossfun: LossFunction;
      readonly lossScale: number | null;
      readonly useCleargrads: boolean;
    }
  /** A zero gradient for the parameter at `path` (`hooks.call.reallocate`), shaped like `like`. */
  | { readonly op: "zeros"; readonly path: string; readonly like: NDArray }
  /** Whether each gradient is all finite (`loss-scale.dynamic.check`), in order. */
  | { readonly op: "allFinite"; readonly grads: readonly { readonly path: string; readonly grad: NDArray }[] }
  | { readonly op: "perParamHook"; readonly kind: HookKind; readonly call: PerParamCall }
  | { readonly op: "wholeHook"; readonly kind: HookKind; readonly call: WholeCall }
  /** A rule's initial state for the parameter at `path` (`rule.update.lazy-state`). */
  | {
      readonly op: "initState";
      readonly def: OptimizerDef;
      readonly path: string;
      readonly param: NDArray;
      readonly hp: Hyperparams;
    }
  /** `grad ← grad / D(scale)` for the parameter at `path` (`rule.update.unscale`). */
  | { readonly op: "unscale"; readonly path: string; readonly grad: NDArray; readonly scale: number }
  /** `a.astype(dtype)` (fp32 master copies, `rule.update.fp32-master`). */
  | { readonly op: "astype"; readonly path: string; readonly a: NDArray; readonly dtype: Dtype }
  | { readonly op: "update"; readonly def: OptimizerDef; readonly call: UpdateCall };

/** What each request is answered with. */
export interface StepAnswers {
  readonly backward: Link;
  readonly zeros: NDArray;
  readonly allFinite: readonly boolean[];
  readonly perParamHook: PerParamResult;
  readonly wholeHook: WholeResult;
  readonly initState: Record<string, NDArray>;
  readonly unscale: NDArray;
  readonly astype: NDArray;
  readonly update: UpdateResult;
}

/**
 * A step program (or one of its parts) returning `R`. A request is made as
 * `(yield { op: "…", … }) as StepAnswers["…"]` (inline, so that a request costs no generator).
 */
export type StepProgram<R> = Generator<StepRequest, R, unknown>;
