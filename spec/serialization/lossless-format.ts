/**
 * What the encoder and the decoder of the lossless snapshot share: the format's name, version and
 * npz member, the fields each record has, and the hex notation of floats.
 */
import type { Dtype } from "../numerics/dtype.js";
import { f16FromBits, f16ToBits } from "../numerics/float16.js";

export const LOSSLESS_FORMAT = "optspec.optimizer-state";
export const LOSSLESS_VERSION = 1;
/** The npz member (without `.npy`) holding the JSON document. */
export const LOSSLESS_META_KEY = "__optspec__";

// ------------------------------------------------------------------------------------ bits

const buf = new DataView(new ArrayBuffer(8));

export function f64Hex(x: number): string {
  buf.setFloat64(0, x);
  return buf.getBigUint64(0).toString(16).padStart(16, "0");
}

export function hexF64(h: string): number {
  buf.setBigUint64(0, BigInt(`0x${h}`));
  return buf.getFloat64(0);
}

export const HEX_WIDTH: Readonly<Record<Dtype, number>> = { float16: 4, float32: 8, float64: 16 };

export function elementHex(dtype: Dtype, x: number): string {
  if (dtype === "float64") return f64Hex(x);
  if (dtype === "float32") {
    buf.setFloat32(0, x);
    return buf.getUint32(0).toString(16).padStart(8, "0");
  }
  return f16ToBits(x).toString(16).padStart(4, "0");
}

export function hexElement(dtype: Dtype, h: string): number {
  if (dtype === "float64") return hexF64(h);
  if (dtype === "float32") {
    buf.setUint32(0, parseInt(h, 16));
    return buf.getFloat32(0);
  }
  return f16FromBits(parseInt(h, 16));
}

// ------------------------------------------------------------------------------------ fields

export const STATE_FIELDS = ["optimizer", "hyperparam", "t", "epoch", "useAutoNewEpoch", "hooks", "target", "rules", "useFp32Update", "lossScale", "useCleargrads"];
export const RULE_FIELDS = ["t", "enabled", "state", "hyperparam", "hooks", "useFp32Update", "fp32Param", "fp32ParamUninitialized", "extras"];
export const PARAM_FIELDS = ["dtype", "shape", "data", "grad", "gradValid", "lossScale"];
export const LOSS_SCALE_FIELDS = ["scale", "dynamic", "interval", "multiplier", "isnanEver", "isnan"];
export const HOOK_FIELDS = ["name", "hook", "state"];
export const HOOK_SPEC_FIELDS = ["kind", "args", "timing", "name"];
