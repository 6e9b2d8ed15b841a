/**
 * The spec's own driver of a step program: every request answered with the spec's arithmetic
 * (through a `ComputeOverride` where one is given). `update()` is `updateProgram` driven here.
 */
import { zerosLike, astype } from "../ndarray.js";
import { allFinite, idiv } from "../numerics/np.js";
import { type ComputeOverride, runPerParam, runUpdate, runWhole } from "../compute.js";
import { runBackward } from "./loss.js";
import type { StepAnswers, StepProgram, StepRequest } from "./step-requests.js";

/** The spec's answer to one request. */
export function answerPure(req: StepRequest, compute?: ComputeOverride): StepAnswers[StepRequest["op"]] {
  switch (req.op) {
    case "backward":
      return runBackward(req.link, req.lossfun, req.lossScale, req.useCleargrads);
    case "zeros":
      return zerosLike(req.like);
    case "allFinite":
      return req.grads.map(({ grad }) => allFinite(grad));
    case "perParamHook":
      return runPerParam(compute, req.kind, req.call);
    case "wholeHook":
      return runWhole(compute, req.kind, req.call);
    case "initState":
      return req.def.initState(req.param, req.hp);
    case "unscale":
      return idiv(req.grad, req.scale);
    case "astype":
      return astype(req.a, req.dtype);
    case "update":
      return runUpdate(compute, req.def, req.call);
  }
}

/** Run a step program to its end, answering every request with the spec's arithmetic. */
export function drivePure<R>(program: StepProgram<R>, compute?: ComputeOverride): R {
  let next = program.next();
  while (!next.done) {
    let answer: unknown;
    let failed = false;
    let error: unknown;
    try {
      answer = answerPure(next.value, compute);
    } catch (err) {
      failed = true;
      error = err;
    }
    next = failed ? program.throw(error) : program.next(answer);
  }
  return next.value;
}
