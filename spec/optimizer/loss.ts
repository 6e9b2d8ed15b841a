/**
 * Loss functions and the backward pass of `update(lossfun)` (`update.lossfun`), on plain arrays.
 */
import { type Link, type Param, cleargrads } from "../link.js";
import { type NDArray, zerosLike } from "../ndarray.js";
import { add } from "../numerics/np.js";
import { InvalidArgumentError, InvalidValueError } from "../errors.js";
import { arrayProblem, describeValue } from "../invariants.js";
import { ownArray } from "../plain-data.js";

/** A loss: anything that can run backward into the target's parameters with a loss scale. */
export interface Loss {
  readonly value?: NDArray;
  /**
   * Gradients of the loss with respect to the parameters it reaches, for an initial gradient of
   * ones multiplied by `lossScale` (when not null).
   */
  backward(lossScale: number | null): Readonly<Record<string, NDArray>>;
}

export type LossFunction = (link: Link) => Loss;

function zerograds(link: Link): Link {
  const params: Record<string, Param> = {};
  for (const [path, p] of Object.entries(link.params)) {
    params[path] = { ...p, grad: p.data === null ? null : zerosLike(p.data), gradValid: true };
  }
  return { structure: link.structure, params };
}

/**
 * @clause update.lossfun.grads `backward` returns a record of valid NDArrays (`invariants.array`),
 * each of its parameter's dtype and shape, else `InvalidValueError`; they are copied
 * (`state.no-aliasing`).
 */
function applyBackward(link: Link, grads: Readonly<Record<string, NDArray>>, lossScale: number | null): Link {
  if (typeof grads !== "object" || grads === null) {
    throw new InvalidValueError(
      "update",
      { at: "backward()", expected: "a record of gradients by parameter path", got: describeValue(grads) },
      "update.lossfun.grads",
    );
  }
  const params = { ...link.params };
  for (const [path, given] of Object.entries(grads)) {
    const p = params[path];
    if (p === undefined)
      throw new InvalidArgumentError(
        `backward returned a gradient for ${path}, which is not a parameter of the target`,
        "update.lossfun",
      );
    const bad = arrayProblem(given, `backward()[${path}]`, { dtype: p.dtype, shape: p.data?.shape ?? null });
    if (bad !== null) throw new InvalidValueError("update", bad, "update.lossfun.grads");
    const g = ownArray(given);
    params[path] = { ...p, grad: p.grad === null ? g : add(p.grad, g), gradValid: true, lossScale };
  }
  return { structure: link.structure, params };
}

/** @clause update.lossfun Forward first, then clear (or zero) the gradients, then backward. */
export function runBackward(link: Link, lossfun: LossFunction, lossScale: number | null, useCleargrads: boolean): Link {
  const loss = lossfun(link);
  if (typeof loss !== "object" || loss === null || typeof loss.backward !== "function") {
    throw new InvalidArgumentError(
      `update: lossfun must return a loss with a backward(lossScale) method, got ${describeValue(loss)}`,
      "update.lossfun",
    );
  }
  const cleared = useCleargrads ? cleargrads(link) : zerograds(link);
  const grads = loss.backward(lossScale);
  return applyBackward(cleared, grads, lossScale);
}
