/**
 * What the encoder and the decoder of the lossless snapshot share: the format's name, version and
 * npz member, the fields each record has, and the hex notation of floats.
 */
import { fromBitsHex, toBitsHex } from "../numerics/bits.js";

export const LOSSLESS_FORMAT = "optspec.optimizer-state";
export const LOSSLESS_VERSION = 1;
/** The npz member (without `.npy`) holding the JSON document. */
export const LOSSLESS_META_KEY = "__optspec__";

// ------------------------------------------------------------------------------------ bits

// A document's float64 numbers, through the one bit-pattern converter (numerics/bits.ts).
export const f64Hex = (x: number): string => toBitsHex("float64", x);
export const hexF64 = (h: string): number => fromBitsHex("float64", h);

// ------------------------------------------------------------------------------------ fields

export const STATE_FIELDS = [
  "optimizer",
  "hyperparam",
  "t",
  "epoch",
  "useAutoNewEpoch",
  "hooks",
  "target",
  "rules",
  "useFp32Update",
  "lossScale",
  "useCleargrads",
];
export const RULE_FIELDS = [
  "t",
  "enabled",
  "state",
  "hyperparam",
  "hooks",
  "useFp32Update",
  "fp32Param",
  "fp32ParamUninitialized",
  "extras",
];
export const PARAM_FIELDS = ["dtype", "shape", "data", "grad", "gradValid", "lossScale"];
export const LOSS_SCALE_FIELDS = ["scale", "dynamic", "interval", "multiplier", "isnanEver", "isnan"];
export const HOOK_FIELDS = ["name", "hook", "state"];
export const HOOK_SPEC_FIELDS = ["kind", "args", "timing", "name"];
