/**
 * optspec's own snapshot of an optimizer: lossless, versioned, as JSON text or as an `.npz`.
 *
 * Chainer's npz snapshot (chainer-protocol.ts) keeps only counters and rule states. This one keeps
 * the whole `OptimizerState`: the optimizer's name and hyperparameters, every rule's own overrides,
 * `t`, `enabled`, state (insertion order kept), hooks and fp32 master copy (and whether it was
 * created uninitialized), rule extras (MSVAG `beta_power`, AdaBound `initial_alpha`), the hooks of
 * the optimizer with their arguments and state (GradientNoise's generator), the loss-scale settings
 * and flags, `epoch`, `use_auto_new_epoch`, `use_fp32_update`, `use_cleargrads`, and the target:
 * its link structure and every parameter's dtype, shape, data, gradient, gradient validity and
 * carried loss scale. Loading it and continuing gives bit for bit the run that never stopped.
 *
 * ## The JSON document (format version 1)
 *
 * ```
 * { "format": "optspec.optimizer-state", "version": 1,
 *   "optimizer": "Adam",
 *   "hyperparam": [[name, value], ...],            value: number | true | false | null
 *   "t": 6, "epoch": 2, "useAutoNewEpoch": false, "useFp32Update": false, "useCleargrads": true,
 *   "lossScale": {"scale", "dynamic", "interval", "multiplier", "isnanEver", "isnan"},
 *   "hooks": null | {"pre": [hook, ...], "post": [hook, ...]},
 *   "target": null | {"structure": structure, "params": [[path, param], ...]},
 *   "rules": [[path, rule], ...] }
 * structure: {"kind": "link"|"chain"|"chainlist", "params": [{"name", "dtype", "shape": null|[ints]}],
 *             "children": [{"name", "link": structure}]}
 * param: {"dtype", "shape": null|[ints], "data": null|array, "grad": null|array, "gradValid": bool,
 *         "lossScale": null|number}
 * rule:  {"t", "enabled", "state": null|[[name, array], ...], "hyperparam": [[name, value], ...],
 *         "hooks": {"pre": [...], "post": [...]}, "useFp32Update", "fp32Param": null|array,
 *         "fp32ParamUninitialized"?: bool, "extras": [[name, number], ...]}
 * hook:  {"name", "hook": {"kind", "args": json, "timing"?: string, "name"?: string|null}, "state": json}
 * ```
 *
 * - A **number** is a JSON integer when it is a safe integer other than −0, otherwise
 *   `{"f": "<16 hex digits>"}`, the IEEE bits of the float64 (exact for every double: −0, NaN,
 *   ±Infinity, subnormals).
 * - An **array** is `{"dtype": "float32", "shape": [2, 3], "bits": "3f800000 bf000000 …"}`: the
 *   IEEE bits of each element in C order, 4/8/16 hex digits for float16/32/64 (the golden files'
 *   notation).
 * - **json** (hook arguments and hook state, any JSON-like data) is tagged so that numbers stay
 *   exact: a string, boolean or null as itself, a number as above, an array as `{"a": [...]}`, an
 *   object as `{"o": [[key, value], ...]}`.
 * - Records are lists of `[key, value]` pairs, so that their order (a rule's state order is
 *   Chainer's serialization order) survives any JSON tool.
 *
 * ## The npz container
 *
 * `saveLossless` writes an `.npz` that `numpy.load(f)` reads with `allow_pickle=False`: the member
 * `__optspec__.npy` is a 1-d uint8 array holding the UTF-8 JSON document above, in which every
 * array is `{"npy": "<key>"}` instead of inline bits; each array is its own member `<key>.npy` in
 * its own dtype and shape (`target/params/enc/W/data`, `target/params/enc/W/grad`,
 * `rules/enc/W/state/m`, `rules/enc/W/fp32_param`). In Python:
 * `json.loads(np.load(f)["__optspec__"].tobytes())`.
 *
 * @clause serialization.lossless.complete `fromJSON(toJSON(s))` and `loadLossless(saveLossless(s))`
 * equal `s` as plain data, bit for bit (every float, −0 and NaN included; record orders kept), so
 * continuing from the loaded state is exactly the run that never stopped.
 * @clause serialization.lossless.version The document carries `format` and an integer `version`;
 * a version above the newest this code knows (or not an integer ≥ 1) is refused with
 * `SnapshotVersionError` before anything else is read.
 * @clause serialization.lossless.validate Loading checks everything and refuses, naming the place
 * in the document (or the npz member) and what was expected: malformed JSON; missing or unexpected
 * keys; wrong types; counters (`t`, `epoch`, rule `t`) that are not safe integers; floats that are
 * not `{"f": bits}` or integers; arrays whose bits do not match their dtype or shape; states that
 * are not float arrays of the parameter's shape; an fp32 master that is not float32 of the
 * parameter's shape; parameters that disagree with the link structure (dtype, paths, shapes); rules
 * for parameters that do not exist; an unknown optimizer; duplicate hook names; hook arguments the
 * hook kind rejects; npz members that are missing, referenced twice, not float, or not referenced.
 * @clause serialization.lossless.hooks A hook whose kind is not registered when loading is refused
 * with `UnknownHookKindError` naming the kind (register it first, then load).
 * @clause serialization.lossless.invariants A loaded state satisfies every invariant the API
 * enforces, checked by the same functions (invariants.ts): counters are non-negative integers
 * (`invariants.counters`), the loss-scale settings are ones `lossScaling`/`setLossScale` can produce
 * (`invariants.loss-scale`), hook arguments are accepted by their kind (`invariants.hook-args`),
 * arrays are well-formed (`invariants.array`); the decoders keep to the decode budget
 * (`serialization.limits.budget`, option `limits: {maxBytes}`). The loaded state is frozen.
 *
 * The encoder is lossless-encode.ts, the decoder lossless-decode.ts (on document-reader.ts), what
 * they share lossless-format.ts.
 */
export { LOSSLESS_FORMAT, LOSSLESS_VERSION, LOSSLESS_META_KEY } from "./lossless-format.js";
export { toJSON, saveLossless } from "./lossless-encode.js";
export { fromJSON, loadLossless } from "./lossless-decode.js";
export { DEFAULT_MAX_DECODE_BYTES, MAX_JSON_NESTING, type DecodeLimits } from "./limits.js";
