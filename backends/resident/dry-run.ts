/**
 * The spec's own update on zero-length arrays: raises exactly where Chainer raises (eps checks,
 * missing state, steps not started), tells whether a state's dtype would change (numpy widening),
 * and yields the rule's next extras (MSVAG's beta_power). Its outcome depends only on the
 * definition, dtypes, state keys, hyperparameters, `t` and extras, so consecutive parameters that
 * share all of those (the usual case) share one dry run.
 */
import type { Dtype, Hyperparams, NDArray, OptimizerDef, UpdateCall } from "../../spec/index.js";
import { sameRecord } from "../same-record.js";

export type DryOutcome =
  { readonly ok: false } | { readonly ok: true; readonly extras: Readonly<Record<string, number>> | undefined };

function empty(dtype: Dtype): NDArray {
  return { dtype, shape: [0], data: new Float64Array(0) };
}

function sameKeys(state: Readonly<Record<string, NDArray>>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in state) if (keys[i++] !== k) return false;
  return i === keys.length;
}

export class DryRun {
  private def: OptimizerDef | null = null;
  private dtype: Dtype | null = null;
  private t = -1;
  private hp: Hyperparams | null = null;
  private extras: Readonly<Record<string, number>> | null = null;
  private keys: string[] = [];
  private outcome: DryOutcome = { ok: false };

  /** The dry run's outcome for a call whose arrays are all of `dtype`. */
  run(def: OptimizerDef, dtype: Dtype, call: UpdateCall): DryOutcome {
    if (
      def === this.def &&
      dtype === this.dtype &&
      call.t === this.t &&
      this.hp !== null &&
      this.extras !== null &&
      sameRecord(call.hp, this.hp) &&
      sameRecord(call.extras, this.extras) &&
      sameKeys(call.state, this.keys)
    ) {
      return this.outcome;
    }
    const keys = Object.keys(call.state);
    const state: Record<string, NDArray> = {};
    for (const k of keys) state[k] = empty(dtype);
    let outcome: DryOutcome;
    try {
      const r = def.update({ ...call, param: empty(dtype), grad: empty(dtype), state });
      const outKeys = Object.keys(r.state);
      const same =
        outKeys.length === keys.length &&
        outKeys.every((k, i) => k === keys[i] && (r.state[k] as NDArray).dtype === dtype) &&
        r.param.dtype === dtype;
      outcome = same ? { ok: true, extras: r.extras } : { ok: false };
    } catch {
      outcome = { ok: false }; // the spec raises (with Chainer's partial effect) on the real call
    }
    this.def = def;
    this.dtype = dtype;
    this.t = call.t;
    this.hp = call.hp;
    this.extras = call.extras;
    this.keys = keys;
    this.outcome = outcome;
    return outcome;
  }
}
