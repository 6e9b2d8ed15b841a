/**
 * Chainer's serializer protocol for an optimizer (`Optimizer.serialize`, `UpdateRule.serialize`,
 * `DictionarySerializer`, `NpzDeserializer`, `save_npz`, `load_npz`) as pure functions.
 *
 * @clause serialization.chainer.key-order `saveChainer` yields, in this order: `t`, `epoch`, then
 * for every parameter path of the target in Chainer's order (`namedparams()`, uninitialized
 * included) that has an update rule: `<path>/t`, then, only if the rule's state is initialized,
 * each state entry in the state's insertion order as `<path>/<name>`. The path is the parameter
 * path without its leading `/` (`/enc/W` → `enc/W/t`). A key written twice keeps its first position
 * and its last value (a Python dict). Saving or loading without a target fails after `t` and
 * `epoch` (AttributeError in Chainer).
 * @clause serialization.chainer.save-values Counters are Python ints, saved as 0-d int64 arrays (a
 * non-integer counter would be a Python float: 0-d float64). State arrays are saved as they are:
 * their own dtype and shape (float32 states of a float16 parameter under fp32 update stay float32).
 * @clause serialization.chainer.prefix `prefix` (Chainer's `path`) is concatenated verbatim in front
 * of every key: it must end with `/` to act as a folder (`prefix: 'opt'` looks up `optt`). A child
 * path is `prefix + name.strip('/') + '/'`; a key is `path + key.lstrip('/')`.
 * @clause serialization.chainer.lossy Not saved, hence not restored: hyperparameters (optimizer and
 * per-rule), hooks and their state, loss scaling, `use_fp32_update` and the fp32 master copies,
 * `enabled`, `use_auto_new_epoch`, rule extras (MSVAG `beta_power`, AdaBound `initial_alpha`), the
 * target's parameters and gradients. Loading leaves all of these as the receiving state has them.
 * @clause serialization.chainer.load.order Loading reads the keys in the same order as saving:
 * `t`, `epoch`, then per rule `t` and its state. Entries the walk does not ask for are ignored.
 * @clause serialization.chainer.load.counter A counter loads from an integer or bool entry of one
 * element (any shape), exactly. A float entry fails with Chainer's TypeError
 * `Cannot safely deserialize from numpy array with dtype=<dtype> into a variable of type <class 'int'>.`;
 * an integer entry of more than one element fails with numpy's TypeError `only size-1 arrays can
 * be converted to Python scalars`. Deviations (Chainer accepts these and fails later): a stored
 * None, a negative integer (`invariants.counters`), and an integer beyond 2**53 (not exact in a JS
 * number) are refused.
 * @clause serialization.chainer.load.copy A rule with an initialized state copies each entry into
 * the existing array (`numpy.copyto`): the array keeps its dtype and shape, the entry is cast to it
 * (same-kind casting; every int, bool or float entry can be cast to a float state) and broadcast to
 * it (leading unit dimensions of the entry are dropped first); an entry that does not broadcast
 * fails with numpy's ValueError `could not broadcast input array from shape (4,) into shape (2,3)`
 * (numpy's shape text, after the leading unit dimensions were dropped).
 * A stored None would make Chainer set the state entry to None; we refuse it (deviation).
 * @clause serialization.chainer.load.adopt A rule without state (`state === null`) discovers its
 * state keys by calling `initState` with the CURRENT effective hyperparameters on a dummy float32
 * parameter of shape (1,) and reads them in that order; each loaded array is adopted as it is, with
 * the file's dtype and shape (not cast to the parameter's dtype). Deviation: an adopted entry must
 * be a float array, and must have the parameter's shape when the parameter is initialized (Chainer
 * adopts anything and fails or broadcasts at the next update).
 * @clause serialization.chainer.load.none A stored None (a 0-d object array), a key absent under
 * `strict: false`, an ignored key, or a missing key of a disabled rule, met while adopting, sets the
 * rule's state back to None (entries adopted before it are dropped); it is created again at the next
 * update.
 * @clause serialization.chainer.load.strict With `strict` (the default) a key that is not in the
 * archive fails with numpy's `KeyError('<key> is not a file in the archive')`, except while a
 * disabled rule adopts its state. With `strict: false` a missing key leaves the value as it is.
 * @clause serialization.chainer.load.disabled A disabled rule tolerates missing state keys while
 * adopting (its state stays None), but not its `t`, and not when its state already exists.
 * @clause serialization.chainer.load.ignore-names `ignoreNames` is a string (exact full key), a
 * predicate on the full key, or an array of these; a matching key is treated as absent-but-allowed
 * (the value stays as it is). Anything else fails with ValueError when the first key is looked up.
 * @clause serialization.chainer.load.partial Chainer loads in place, so a failure leaves the keys
 * read before it loaded: the error's `partial` is that state (`t`, `epoch`, earlier rules, the
 * failing rule's `t`, and while adopting, the entries adopted so far in a state dict that is not
 * None). The state passed in is unchanged.
 */
import type { OptimizerState, UpdateRuleState } from "../state.js";
import type { NDArray } from "../ndarray.js";
import { type Dtype, isDtype, roundTo } from "../numerics/dtype.js";
import { paramPaths } from "../link.js";
import { effectiveHyperparams } from "../hyperparam.js";
import { optimizerDef } from "../optimizer/create.js";
import { InvalidArgumentError, OptspecError } from "../errors.js";
import { checkState } from "../optimizer/create.js";
import { describeValue } from "../invariants.js";
import { deepFreeze } from "../plain-data.js";
import { DEFAULT_MAX_DECODE_BYTES, type DecodeLimits } from "./limits.js";
import { type NpyArray, type NpyValue, isNpyNone, npySize } from "./npy-types.js";
import { type NpzEntry, type ZipLayout, readNpz, writeNpz } from "./npz.js";
import { NpyFormatError, NpzFormatError } from "./errors.js";
import { reprIntTuple } from "./pyliteral.js";
import {
  ArchiveFormatError,
  ArchiveKeyMissingError,
  CounterTypeError,
  IgnoreNamesError,
  SerializeTargetError,
  StateDtypeError,
  StateShapeError,
  notInChainer,
} from "./load-errors.js";

export type { NpzEntry } from "./npz.js";

export interface SaveChainerOptions {
  /** Chainer's serializer `path`, concatenated verbatim (end it with `/`). */
  readonly prefix?: string;
}

/** A string (exact full key) or a predicate on the full key. */
export type IgnoreName = string | ((key: string) => boolean);

export interface LoadChainerOptions {
  /** Default true: a missing key fails. */
  readonly strict?: boolean;
  /** Chainer's `path`, concatenated verbatim in front of every key (end it with `/`). */
  readonly prefix?: string;
  readonly ignoreNames?: IgnoreName | readonly IgnoreName[];
  /** The decode budget of `loadNpz` (`serialization.limits.budget`); default 256 MiB. */
  readonly limits?: DecodeLimits;
}

/** `Parameter.name.strip('/')`-style child path. */
function childPath(prefix: string, name: string): string {
  return `${prefix}${name.replace(/^\/+/, "").replace(/\/+$/, "")}/`;
}

function fullKey(path: string, key: string): string {
  return path + key.replace(/^\/+/, "");
}

/** A Python counter as Chainer's DictionarySerializer stores it. */
function counterArray(n: number): NpyArray {
  if (Number.isInteger(n)) return { dtype: "int64", shape: [], data: BigInt64Array.of(BigInt(n)) };
  return { dtype: "float64", shape: [], data: Float64Array.of(n) };
}

function copyNd(a: NDArray): NDArray {
  return { dtype: a.dtype, shape: [...a.shape], data: new Float64Array(a.data) };
}

/**
 * Chainer's `save` walk of an optimizer: the `(key, array)` entries in the archive's order.
 * @clause serialization.chainer.key-order
 * @clause serialization.chainer.save-values
 */
export function saveChainer(state: OptimizerState, options: SaveChainerOptions = {}): NpzEntry[] {
  const prefix = options.prefix ?? "";
  const out = new Map<string, NpyValue>();
  out.set(fullKey(prefix, "t"), counterArray(state.t));
  out.set(fullKey(prefix, "epoch"), counterArray(state.epoch));
  if (state.target === null) throw new SerializeTargetError("save");
  for (const path of paramPaths(state.target.structure)) {
    const rule = state.rules[path];
    if (rule === undefined) continue;
    const rp = childPath(prefix, path);
    out.set(fullKey(rp, "t"), counterArray(rule.t));
    if (rule.state === null) continue;
    for (const [k, a] of Object.entries(rule.state)) out.set(fullKey(rp, k), copyNd(a));
  }
  return [...out].map(([key, array]) => ({ key, array }));
}

/** `save_npz(file, optimizer, compression)`: the archive bytes. Default compressed, as Chainer. */
export function saveNpz(
  state: OptimizerState,
  options: { readonly compress?: boolean; readonly prefix?: string; readonly zipLayout?: ZipLayout } = {},
): Uint8Array {
  const entries = saveChainer(state, options.prefix === undefined ? {} : { prefix: options.prefix });
  return writeNpz(entries, {
    compress: options.compress ?? true,
    ...(options.zipLayout === undefined ? {} : { zipLayout: options.zipLayout }),
  });
}

/** numpy dtype name, as `str(array.dtype)` prints it. */
function dtypeName(a: NpyArray): string {
  return a.dtype;
}

/** Round an integer to `dtype` the way numpy's int64/uint64 → float cast does (through float32 for float16). */
function bigintToFloat(dtype: Dtype, x: bigint): number {
  const p = dtype === "float64" ? 53 : 24;
  const neg = x < 0n;
  let a = neg ? -x : x;
  const bits = a.toString(2).length;
  if (bits > p) {
    const shift = BigInt(bits - p);
    const q = a >> shift;
    const r = a - (q << shift);
    const half = 1n << (shift - 1n);
    a = (r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q) << shift;
  }
  const v = Number(neg ? -a : a);
  return dtype === "float16" ? roundTo("float16", v) : v;
}

function elementAsFloat(src: NpyArray, i: number, dtype: Dtype): number {
  if (src.dtype === "int64" || src.dtype === "uint64") return bigintToFloat(dtype, src.data[i] as bigint);
  return roundTo(dtype, src.data[i] as number);
}

/** numpy's C-level shape text (`convert_shape_to_string`): `()`, `(4,)`, `(2,3)` — no spaces. */
function npShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(",")})`;
}

/**
 * `numpy.copyto(dst, src)` with same-kind casting: a new array with dst's dtype and shape.
 * @clause serialization.chainer.load.copy
 */
function copyTo(dst: NDArray, src: NpyArray, key: string): NDArray {
  let sShape = [...src.shape];
  while (sShape.length > dst.shape.length && sShape[0] === 1) sShape = sShape.slice(1);
  const nd = dst.shape.length;
  const fits = sShape.length <= nd && sShape.every((d, i) => d === 1 || d === dst.shape[nd - sShape.length + i]);
  if (!fits) {
    const msg = `could not broadcast input array from shape ${npShape(sShape)} into shape ${npShape(dst.shape)}`;
    throw new StateShapeError(
      key,
      `${msg}: the entry must broadcast to the existing state array (dtype ${dst.dtype})`,
      { type: "ValueError", str: msg },
      "serialization.chainer.load.copy",
    );
  }
  const n = npySize(dst.shape);
  const data = new Float64Array(n);
  // Strides of src aligned to dst's trailing dimensions (0 where src broadcasts).
  const strides = Array.from({ length: nd }, () => 0);
  let acc = 1;
  for (let k = sShape.length - 1; k >= 0; k--) {
    const d = sShape[k] as number;
    strides[nd - sShape.length + k] = d === 1 ? 0 : acc;
    acc *= d;
  }
  const idx = Array.from({ length: nd }, () => 0);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < nd; k++) s += (idx[k] as number) * (strides[k] as number);
    data[i] = elementAsFloat(src, s, dst.dtype);
    for (let k = nd - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (dst.shape[k] as number)) break;
      idx[k] = 0;
    }
  }
  return { dtype: dst.dtype, shape: [...dst.shape], data };
}

/**
 * Chainer's `NpzDeserializer.__call__` with a Python int value.
 * @clause serialization.chainer.load.counter
 */
function loadCounter(key: string, v: NpyValue): number {
  if (isNpyNone(v)) {
    throw new CounterTypeError(
      key,
      "it holds None",
      notInChainer("Chainer sets the counter to None and fails at the next update or new_epoch"),
    );
  }
  if (v.dtype === "float16" || v.dtype === "float32" || v.dtype === "float64") {
    throw new CounterTypeError(key, `it is a ${v.dtype} array, which cannot be cast safely to an integer`, {
      type: "TypeError",
      str: `Cannot safely deserialize from numpy array with dtype=${dtypeName(v)} into a variable of type <class 'int'>.`,
    });
  }
  if (v.data.length !== 1) {
    throw new CounterTypeError(
      key,
      `it has shape ${reprIntTuple(v.shape)} (${v.data.length} elements); one element is needed`,
      {
        type: "TypeError",
        str: "only size-1 arrays can be converted to Python scalars",
      },
    );
  }
  const x = v.data[0] as number | bigint;
  const n = typeof x === "bigint" ? x : BigInt(x);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CounterTypeError(
      key,
      `${n} is beyond 2**53 and not exact as a JS number`,
      notInChainer(`Chainer loads the Python int ${n}`),
    );
  }
  if (n < 0n) {
    throw new CounterTypeError(
      key,
      `${n} is negative; counters are non-negative (invariants.counters)`,
      notInChainer(`Chainer loads the Python int ${n}`),
    );
  }
  return Number(n);
}

type Lookup = { readonly found: false } | { readonly found: true; readonly value: NpyValue };
const KEEP: Lookup = { found: false };

/**
 * Chainer's `load` walk of an optimizer (`NpzDeserializer` over the entries): a new state.
 * Throws a `SerializationError`; Chainer's partial effect is on `error.partial`.
 * @clause serialization.chainer.load.order
 */
export function loadChainer(
  state: OptimizerState,
  entries: readonly NpzEntry[],
  options: LoadChainerOptions = {},
): OptimizerState {
  const strict = options.strict ?? true;
  const prefix = options.prefix ?? "";
  const ignore = options.ignoreNames;
  const npz = new Map<string, NpyValue>();
  for (const e of entries) npz.set(e.key, e.array);

  /** @clause serialization.chainer.load.ignore-names */
  const lookup = (full: string, context: string): Lookup => {
    if (!strict && !npz.has(full)) return KEEP;
    if (ignore !== undefined && ignore !== null) {
      const list: readonly unknown[] = Array.isArray(ignore) ? ignore : [ignore];
      for (const n of list) {
        if (typeof n === "string") {
          if (n === full) return KEEP;
        } else if (typeof n === "function") {
          if ((n as (k: string) => unknown)(full)) return KEEP;
        } else throw new IgnoreNamesError(n === null ? "null" : typeof n);
      }
    }
    const value = npz.get(full);
    if (value === undefined) throw new ArchiveKeyMissingError(full, context);
    return { found: true, value };
  };

  let s: OptimizerState = state;
  // The rule being loaded, as Chainer has it at this point (for the partial effect).
  let current: { path: string; rule: UpdateRuleState } | null = null;
  const partialState = (): OptimizerState =>
    current === null ? s : { ...s, rules: { ...s.rules, [current.path]: current.rule } };
  try {
    const tKey = fullKey(prefix, "t");
    const t = lookup(tKey, "the optimizer's t");
    if (t.found) s = { ...s, t: loadCounter(tKey, t.value) };
    const eKey = fullKey(prefix, "epoch");
    const e = lookup(eKey, "the optimizer's epoch");
    if (e.found) s = { ...s, epoch: loadCounter(eKey, e.value) };
    if (s.target === null) throw new SerializeTargetError("load");
    const def = optimizerDef(s.optimizer);
    const target = s.target;
    for (const path of paramPaths(target.structure)) {
      const rule0 = s.rules[path];
      if (rule0 === undefined) continue;
      const rp = childPath(prefix, path);
      const ctx = `rule of ${path}`;
      const rtKey = fullKey(rp, "t");
      const rt = lookup(rtKey, `the t of the ${ctx}`);
      let rule: UpdateRuleState = rt.found ? { ...rule0, t: loadCounter(rtKey, rt.value) } : rule0;
      current = { path, rule };
      if (rule.state === null) {
        rule = adoptState(def.initState, s, path, rule, rp, lookup, (r) => (current = { path, rule: r })); // oxlint-disable-line typescript/unbound-method -- initState never uses `this`
      } else {
        const next: Record<string, NDArray> = { ...rule.state };
        for (const [k, existing] of Object.entries(rule.state)) {
          const full = fullKey(rp, k);
          const r = lookup(full, `state ${JSON.stringify(k)} of the ${ctx}`);
          if (!r.found) continue;
          if (isNpyNone(r.value)) {
            throw new StateDtypeError(
              full,
              "it holds None; a state entry that exists must be loaded from an array",
              notInChainer("Chainer sets the state entry to None and fails at the next update"),
              "serialization.chainer.load.copy",
            );
          }
          next[k] = copyTo(existing, r.value, full);
          current = { path, rule: { ...rule, state: { ...next } } };
        }
        rule = { ...rule, state: next };
      }
      s = { ...s, rules: { ...s.rules, [path]: rule } };
      current = null;
    }
    return deepFreeze(s);
  } catch (err) {
    if (err instanceof OptspecError && err.partial === undefined && err.chainer.type !== "None")
      err.partial = partialState();
    throw err;
  }
}

/**
 * `UpdateRule.serialize` on load when the state is None.
 * @clause serialization.chainer.load.adopt
 * @clause serialization.chainer.load.none
 * @clause serialization.chainer.load.disabled
 */
function adoptState(
  initState: (param: NDArray, hp: Readonly<Record<string, number | boolean | null>>) => Record<string, NDArray>,
  s: OptimizerState,
  path: string,
  rule0: UpdateRuleState,
  rp: string,
  lookup: (full: string, context: string) => Lookup,
  progress: (r: UpdateRuleState) => void,
): UpdateRuleState {
  const dummy: NDArray = { dtype: "float32", shape: [1], data: new Float64Array(1) };
  const keys = Object.keys(initState(dummy, effectiveHyperparams(s.hyperparam, rule0.hyperparam)));
  const param = s.target?.params[path];
  const adopted: Record<string, NDArray> = {};
  progress({ ...rule0, state: {} });
  for (const k of keys) {
    const full = fullKey(rp, k);
    let value: NpyValue | null;
    try {
      const r = lookup(
        full,
        `state ${JSON.stringify(k)} of the rule of ${path} (keys from initState with the current hyperparameters)`,
      );
      value = r.found ? r.value : null;
    } catch (err) {
      if (err instanceof ArchiveKeyMissingError && !rule0.enabled) value = null;
      else throw err;
    }
    if (value === null || isNpyNone(value)) return { ...rule0, state: null };
    if (!isDtype(value.dtype)) {
      throw new StateDtypeError(
        full,
        `it is a ${value.dtype} array; a state must be float16, float32 or float64`,
        notInChainer(`Chainer adopts the ${value.dtype} array as the state`),
        "serialization.chainer.load.adopt",
      );
    }
    const shape = param?.data?.shape;
    if (shape !== undefined && (shape.length !== value.shape.length || shape.some((d, i) => d !== value.shape[i]))) {
      throw new StateShapeError(
        full,
        `it has shape ${reprIntTuple(value.shape)}, the parameter ${path} has shape ${reprIntTuple(shape)}`,
        notInChainer("Chainer adopts the array as it is and fails (or broadcasts) at the next update"),
        "serialization.chainer.load.adopt",
      );
    }
    adopted[k] = { dtype: value.dtype, shape: [...value.shape], data: new Float64Array(value.data as Float64Array) };
    progress({ ...rule0, state: { ...adopted } });
  }
  return { ...rule0, state: adopted };
}

/**
 * `load_npz(file, optimizer, path, strict, ignore_names)`: decode the archive, then `loadChainer`.
 * Malformed bytes fail with `ArchiveFormatError` (naming the member when there is one).
 */
export function loadNpz(state: OptimizerState, bytes: Uint8Array, options: LoadChainerOptions = {}): OptimizerState {
  checkState(state, "loadNpz");
  if (!(bytes instanceof Uint8Array))
    throw new InvalidArgumentError(
      `loadNpz: expected the bytes of an npz file (a Uint8Array), got ${describeValue(bytes)}`,
      "serialization.errors.load-only-documented",
    );
  const max = options.limits?.maxBytes ?? DEFAULT_MAX_DECODE_BYTES;
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max <= 0) {
    throw new InvalidArgumentError(
      `loadNpz: limits.maxBytes must be a positive safe integer, got ${describeValue(max)}`,
      "serialization.limits.budget",
    );
  }
  let entries: NpzEntry[];
  try {
    entries = readNpz(bytes, { maxBytes: max }).entries;
  } catch (err) {
    if (err instanceof NpzFormatError || err instanceof NpyFormatError) throw new ArchiveFormatError(err);
    throw err;
  }
  return loadChainer(state, entries, options);
}
