/**
 * Errors of saving and loading optimizer snapshots (Chainer's npz protocol and optspec's lossless
 * snapshot). Every one extends `SerializationError`, itself an `OptspecError`: a loader never lets
 * anything else escape (the codec's `NpzFormatError` is wrapped in `ArchiveFormatError`, with the
 * original as `cause`).
 *
 * `chainer` is the exception Chainer 7.8.1 raises at the same point. Where Chainer raises nothing
 * (it accepts the input and fails later, or the check belongs to optspec's own format) its `type`
 * is `"None"` and `str` says what Chainer does instead.
 *
 * @clause serialization.errors.load-only-documented Loading bytes or text raises only subclasses
 * of `SerializationError`; each names the key, entry or document path concerned and what was
 * expected. The state passed in is never changed (pure functions); where Chainer leaves a partial
 * effect (a KeyError in the middle of `load_npz`), it is attached as `error.partial`.
 */
import { type ChainerException, OptspecError } from "../errors.js";
import type { OptimizerState } from "../state.js";
import { NpzFormatError, NpyFormatError } from "./errors.js";
import { describeValue } from "../invariants.js";

/** Marks a check Chainer does not make at this point. */
export function notInChainer(whatChainerDoes: string): ChainerException {
  return { type: "None", str: whatChainerDoes };
}

/** Python's `str(KeyError(x))`. */
function keyErrorStr(arg: string): string {
  return arg.includes("'") && !arg.includes('"') ? `"${arg}"` : `'${arg.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The base class of every save/load failure. */
export class SerializationError extends OptspecError<OptimizerState> {}

/** Saving or loading through Chainer's protocol needs a set-up optimizer (it walks the target). */
export class SerializeTargetError extends SerializationError {
  constructor(what: "save" | "load") {
    super(
      `${what}: the optimizer has no target; call setup(state, link) first (Chainer walks target.namedparams())`,
      "serialization.chainer.key-order",
      { type: "AttributeError", str: "'NoneType' object has no attribute 'namedparams'" },
    );
  }
}

/**
 * A key the strict deserializer needs is not in the archive: numpy's
 * `KeyError('<key> is not a file in the archive')`.
 */
export class ArchiveKeyMissingError extends SerializationError {
  readonly key: string;
  constructor(key: string, context: string) {
    super(
      `load: the archive has no entry ${JSON.stringify(key)} (${context}); load with strict: false to leave it as it is, or check the prefix`,
      "serialization.chainer.load.strict",
      { type: "KeyError", str: keyErrorStr(`${key} is not a file in the archive`) },
    );
    this.key = key;
  }
}

/** A counter (`t`, `epoch`, a rule's `t`) stored as something that is not an integer scalar. */
export class CounterTypeError extends SerializationError {
  readonly key: string;
  constructor(key: string, detail: string, chainer: ChainerException) {
    super(
      `load: entry ${JSON.stringify(key)} must hold an integer counter: ${detail}`,
      "serialization.chainer.load.counter",
      chainer,
    );
    this.key = key;
  }
}

/** A state array of the wrong shape (cannot be copied into, or adopted for, the rule's state). */
export class StateShapeError extends SerializationError {
  readonly key: string;
  constructor(key: string, detail: string, chainer: ChainerException, clause: string) {
    super(`load: entry ${JSON.stringify(key)}: ${detail}`, clause, chainer);
    this.key = key;
  }
}

/** A state entry of the wrong kind of value (not a float array). */
export class StateDtypeError extends SerializationError {
  readonly key: string;
  constructor(key: string, detail: string, chainer: ChainerException, clause: string) {
    super(`load: entry ${JSON.stringify(key)}: ${detail}`, clause, chainer);
    this.key = key;
  }
}

/** `ignore_names` holds something that is neither a string nor a function. */
export class IgnoreNamesError extends SerializationError {
  constructor(got: string) {
    super(
      `load: ignoreNames must be a string, a function (key) => boolean, or an array of them; got ${got}`,
      "serialization.chainer.load.ignore-names",
      { type: "ValueError", str: "ignore_names needs to be a callable, string or list of them." },
    );
  }
}

/** The bytes are not a valid `.npz` archive (wraps the codec's `NpzFormatError`). */
export class ArchiveFormatError extends SerializationError {
  /** The archive member concerned, when there is one. */
  readonly entry: string | undefined;
  constructor(cause: NpzFormatError | NpyFormatError) {
    super(
      `load: ${cause.message}`,
      "serialization.errors.load-only-documented",
      cause instanceof NpzFormatError && cause.cause === undefined
        ? { type: "BadZipFile", str: cause.reason }
        : { type: "ValueError", str: cause.reason },
    );
    this.entry = cause.entry;
    this.cause = cause;
  }
}

/** optspec's lossless snapshot is malformed: `at` is the place in the document, `expected` what should be there. */
export class SnapshotFormatError extends SerializationError {
  readonly at: string;
  readonly expected: string;
  constructor(at: string, expected: string, got: string) {
    super(
      `lossless snapshot: at ${at}: expected ${expected}, got ${got}`,
      "serialization.lossless.validate",
      notInChainer("optspec's lossless snapshot has no Chainer counterpart"),
    );
    this.at = at;
    this.expected = expected;
  }
}

/** A lossless snapshot written by a newer optspec (or with an unknown version). */
export class SnapshotVersionError extends SerializationError {
  readonly version: unknown;
  constructor(version: unknown, supported: number) {
    super(
      `lossless snapshot: format version ${typeof version === "number" ? String(version) : describeValue(version)} is not supported; this optspec reads versions 1 to ${supported}` +
        (typeof version === "number" && version > supported
          ? " (the snapshot comes from a newer optspec; upgrade to load it)"
          : ""),
      "serialization.lossless.version",
      notInChainer("optspec's lossless snapshot has no Chainer counterpart"),
    );
    this.version = version;
  }
}

/** A lossless snapshot names a hook kind that is not registered in this process. */
export class UnknownHookKindError extends SerializationError {
  readonly kind: string;
  constructor(kind: string, at: string) {
    super(
      `lossless snapshot: at ${at}: hook kind ${JSON.stringify(kind)} is not registered; register it with registerHookKind before loading`,
      "serialization.lossless.hooks",
      notInChainer("a pickled optimizer whose hook class cannot be imported fails in pickle.load"),
    );
    this.kind = kind;
  }
}

/** A lossless snapshot names an optimizer that is not in the registry. */
export class UnknownOptimizerError extends SerializationError {
  readonly optimizer: string;
  constructor(optimizer: string) {
    super(
      `lossless snapshot: optimizer ${JSON.stringify(optimizer)} is not in the registry (OPTIMIZERS)`,
      "serialization.lossless.validate",
      notInChainer("optspec's lossless snapshot has no Chainer counterpart"),
    );
    this.optimizer = optimizer;
  }
}
