/**
 * One error class per kind of failure. Each carries:
 * - `clause`: the clause id of the rule that failed;
 * - `chainer`: the exception Chainer 7.8.1 raises at the same point (`type` and `str(exc)`), so a
 *   replay can check that we fail where and as Chainer fails;
 * - `partial`: where Chainer documents a partial effect (the state was already changed when it
 *   raised), the state it leaves behind. The caller's own state is never changed: spec functions
 *   are pure.
 *
 * @clause errors.no-partial-effect A call that fails returns nothing and changes nothing; the
 * state the caller holds is the state before the call.
 * @clause errors.chainer-compat The error is raised at the same step as in Chainer, and
 * `error.chainer` names Chainer's exception type and message.
 */
export interface ChainerException {
  readonly type: string;
  readonly str: string;
}

export class OptspecError<Partial = unknown> extends Error {
  readonly clause: string;
  readonly chainer: ChainerException;
  partial: Partial | undefined;
  constructor(message: string, clause: string, chainer: ChainerException, partial?: Partial) {
    super(message);
    this.name = new.target.name;
    this.clause = clause;
    this.chainer = chainer;
    this.partial = partial;
  }

  /** Attach Chainer's documented partial effect and return this error (for `throw`). */
  withPartial(partial: Partial): this {
    this.partial = partial;
    return this;
  }
}

/** Python's `str(KeyError(x))` quotes its argument. */
function keyErrorStr(arg: string): string {
  return arg.includes("'") && !arg.includes('"') ? `"${arg}"` : `'${arg.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export class NotSetUpError extends OptspecError {
  constructor(what: string) {
    super(`${what}: the optimizer is not set up; call setup(state, link) first`, "optimizer.setup.required", {
      type: "RuntimeError",
      str: "Optimizer is not set up. Call `setup` method.",
    });
  }
}

export class InvalidTargetError extends OptspecError {
  constructor(detail: string) {
    super(`setup: the optimization target must be a link (${detail})`, "optimizer.setup.target", {
      type: "TypeError",
      str: "optimization target must be a link",
    });
  }
}

export class HookNotCallableError extends OptspecError {
  constructor(detail: string) {
    super(`addHook: the hook must be a hook object with a kind (${detail})`, "hooks.add.callable", {
      type: "TypeError",
      str: "hook function must be callable",
    });
  }
}

export class InvalidTimingError extends OptspecError {
  constructor(timing: unknown) {
    super(
      `addHook: timing must be 'pre', 'post' or 'auto', got ${JSON.stringify(timing) ?? String(timing)}`,
      "hooks.add.timing",
      { type: "ValueError", str: "timing must be one of ('pre', 'post', 'auto')" },
    );
  }
}

export class HookNameMissingError extends OptspecError {
  constructor() {
    super("addHook: the hook has no name; pass a name or give the hook kind a default name", "hooks.add.name", {
      type: "ValueError",
      str: "the name of the hook function is not specified",
    });
  }
}

export class DuplicateHookError extends OptspecError {
  constructor(name: string, where: string) {
    super(
      `addHook: a hook named ${JSON.stringify(name)} is already registered on ${where} (pre or post); remove it first or pick another name`,
      "hooks.add.unique-name",
      { type: "KeyError", str: keyErrorStr(`hook "${name}" already exists`) },
    );
  }
}

export class UnknownHookError extends OptspecError {
  constructor(name: string, where: string) {
    super(`removeHook: no hook named ${JSON.stringify(name)} on ${where}`, "hooks.remove.unknown", {
      type: "KeyError",
      str: keyErrorStr(name),
    });
  }
}

export class InvalidCallHooksTimingError extends OptspecError {
  constructor(timing: unknown) {
    super(`callHooks: timing must be 'pre' or 'post', got ${String(timing)}`, "hooks.call.timing", {
      type: "ValueError",
      str: "timing must be either 'pre' or 'post'",
    });
  }
}

export class NewEpochMisuseError extends OptspecError {
  constructor(auto: boolean) {
    super(
      auto
        ? "newEpoch(auto=true) was called but useAutoNewEpoch is false; set useAutoNewEpoch when an updater drives epochs"
        : "newEpoch() was called by hand while useAutoNewEpoch is true; the updater already advances epochs",
      "optimizer.new-epoch.auto",
      auto
        ? {
            type: "RuntimeError",
            str: "invalid new_epoch call with auto=True.\nFix the updater to set optimizer.use_auto_new_epoch = True.",
          }
        : {
            type: "RuntimeError",
            str: "duplicated new_epoch with the updater.\nPass auto_new_epoch=False to the updater or stop calling new_epoch outside the updater.",
          },
    );
  }
}

export class InvalidLossScaleError extends OptspecError {
  constructor(scale: number, repr: string) {
    super(`setLossScale: the loss scale must be a positive number, got ${scale}`, "loss-scale.static.positive", {
      type: "ValueError",
      str: `loss_scale must be a positive number. Actual: ${repr}`,
    });
  }
}

export class InvalidIntervalError extends OptspecError {
  constructor(interval: number, repr: string) {
    super(`lossScaling: interval must be at least 1, got ${interval}`, "loss-scale.dynamic.interval", {
      type: "ValueError",
      str: `interval must be greater than or equal to 1. Actual: ${repr}`,
    });
  }
}

/** An eps that rounds to zero in the dtype the update computes in. */
export class EpsTooSmallError extends OptspecError {
  constructor(optimizer: string, dtype: string, epsRepr: string, chainer: ChainerException, clause: string) {
    super(
      `${optimizer}: eps=${epsRepr} rounds to 0 in ${dtype}, which would divide by zero; use a larger eps or float32 master copies (useFp32Update)`,
      clause,
      chainer,
    );
  }
}

export class StepsNotStartedError extends OptspecError {
  constructor(what: "learning rate" | "bounds", optimizer: string) {
    super(
      `${optimizer}: the ${what === "bounds" ? "AdaBound bounds depend" : "bias-corrected step size alpha_t depends"} on the rule's t, which is 0 before the first update`,
      what === "bounds" ? "adam.bounds.t-zero" : "adam.alpha-t.t-zero",
      {
        type: "RuntimeError",
        str:
          what === "bounds"
            ? "Can't determine the bounds of AdaBound optimizer because the update steps have not been started."
            : "Can't determine the learning rate of Adam optimizer because the update steps have not been started.",
      },
    );
  }
}

export class MissingStateError extends OptspecError {
  constructor(path: string, key: string, clause: string) {
    super(
      `update: the rule of ${path} has no state ${JSON.stringify(key)}; it was initialized before a hyperparameter that needs it was turned on`,
      clause,
      { type: "KeyError", str: keyErrorStr(key) },
    );
  }
}

export class MissingRuleAttributeError extends OptspecError {
  constructor(path: string, attr: string, rule: string, clause: string) {
    super(`update: the rule of ${path} has no ${attr}; it is captured at setup only when the feature is on`, clause, {
      type: "AttributeError",
      str: `'${rule}' object has no attribute '${attr}'`,
    });
  }
}

export class HookArityError extends OptspecError {
  constructor(kind: string, path: string) {
    super(
      `update: ${kind} acts on the whole optimizer and cannot run as a hook of the rule of ${path}`,
      "hooks.rule.per-param-only",
      { type: "TypeError", str: `${kind}.__call__() takes 2 positional arguments but 3 were given` },
    );
  }
}

export class GradUnavailableError extends OptspecError {
  constructor(path: string) {
    super(
      `update: the gradient of ${path} was never set nor cleared; call cleargrads before backward`,
      "rule.update.grad-invalid",
      {
        type: "RuntimeError",
        str: "Cannot retrieve Variable.grad. Either it must be set manually or Variable.cleargrad() must be called beforehand.",
      },
    );
  }
}

/** Bad arguments to a spec function that Chainer would accept silently or fail on obscurely. */
export class InvalidArgumentError extends OptspecError {
  constructor(message: string, clause: string, chainer: ChainerException = { type: "TypeError", str: message }) {
    super(message, clause, chainer);
  }
}

/**
 * A value given to the API breaks an invariant of the spec's data: a malformed NDArray, a counter
 * that is not a non-negative integer, a hand-built state that is not one. `at` says where.
 */
export class InvalidValueError extends InvalidArgumentError {
  readonly at: string;
  constructor(
    what: string,
    problem: { readonly at: string; readonly expected: string; readonly got: string },
    clause: string,
  ) {
    super(`${what}: at ${problem.at}: expected ${problem.expected}, got ${problem.got}`, clause);
    this.at = problem.at;
  }
}

/**
 * Python float arithmetic on hyperparameters that raises where JS would give Infinity or NaN:
 * `x / 0.0` (ZeroDivisionError) and a finite `x ** y` that overflows (OverflowError).
 */
export class ScalarArithmeticError extends OptspecError {
  constructor(what: string, kind: "zero-division" | "overflow", clause: string) {
    super(
      `${what}: the hyperparameters make Python's float arithmetic fail (${kind === "zero-division" ? "division by zero" : "overflow"}); choose hyperparameters in the documented range`,
      clause,
      kind === "zero-division"
        ? { type: "ZeroDivisionError", str: "float division by zero" }
        : { type: "OverflowError", str: "(34, 'Numerical result out of range')" },
    );
  }
}
