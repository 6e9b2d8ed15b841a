/**
 * Loss functions and the backward pass of `update(lossfun)` (`update.lossfun`), on plain arrays.
 */
import { type Link, type Param, cleargrads } from "../link.js";
import { type NDArray, zerosLike } from "../ndarray.js";
import { add } from "../numerics/np.js";
import { InvalidArgumentError } from "../errors.js";

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

function applyBackward(link: Link, grads: Readonly<Record<string, NDArray>>, lossScale: number | null): Link {
  const params = { ...link.params };
  for (const [path, g] of Object.entries(grads)) {
    const p = params[path];
    if (p === undefined) throw new InvalidArgumentError(`backward returned a gradient for ${path}, which is not a parameter of the target`, "update.lossfun");
    params[path] = { ...p, grad: p.grad === null ? g : add(p.grad, g), gradValid: true, lossScale };
  }
  return { structure: link.structure, params };
}

/** @clause update.lossfun Forward first, then clear (or zero) the gradients, then backward. */
export function runBackward(link: Link, lossfun: LossFunction, lossScale: number | null, useCleargrads: boolean): Link {
  const loss = lossfun(link);
  const cleared = useCleargrads ? cleargrads(link) : zerograds(link);
  const grads = loss.backward(lossScale);
  return applyBackward(cleared, grads, lossScale);
}
