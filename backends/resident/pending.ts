/**
 * Pending kernel work of a step, recorded per parameter and issued in batches. Work on different
 * parameters commutes (their segments are disjoint), so the k-th operation of every parameter is
 * issued together: one multi-segment call per round, kind, kernel, dtype and scalar, each
 * parameter's own operations staying in order. Data-dependent requests flush first.
 */
import type { NDArray } from "../../spec/index.js";
import type { HookSegment, Segment, Span } from "../contract.js";
import type { Store, Slot, Role } from "./store.js";
import { type Job, values } from "./job.js";
import { type HookPlan, normScalars } from "./hook-scalars.js";
import { idiv } from "../../spec/numerics/np.js";

export type PendingOp =
  /** An optimizer op is its own kernel segment (offset, length, hp, t, extras): one object per parameter. */
  | ({ readonly kind: "optimizer"; readonly slot: Slot; round: number; readonly name: string } & Segment)
  /** A hook op is its own kernel segment (its scalars are the fixed plan's; a norms plan computes them at issue). */
  | ({
      readonly kind: "hook";
      readonly slot: Slot;
      round: number;
      readonly name: string;
      readonly plan: HookPlan;
    } & HookSegment)
  | {
      readonly kind: "noise";
      readonly slot: Slot;
      round: number;
      readonly name: string;
      readonly noise: NDArray;
      readonly scalars: HookSegment["scalars"];
    }
  | {
      readonly kind: "fill";
      readonly slot: Slot;
      round: number;
      readonly role: Role;
      readonly key: string;
      readonly value: number;
    }
  | { readonly kind: "divide"; readonly slot: Slot; round: number; readonly value: number };

interface Group {
  readonly first: PendingOp;
  readonly ops: PendingOp[];
}

/** Ops that can be one call: same round, kind, dtype, kernel or hook, quantity and scalar. */
function sameCall(a: PendingOp, b: PendingOp): boolean {
  if (a.round !== b.round || a.kind !== b.kind || a.slot.dtype !== b.slot.dtype) return false;
  switch (a.kind) {
    case "optimizer":
    case "noise":
      return a.name === (b as typeof a).name;
    case "hook":
      return a.name === (b as typeof a).name && (a.plan.kind === "norms") === ((b as typeof a).plan.kind === "norms");
    case "fill":
      return (
        a.role === (b as typeof a).role && a.key === (b as typeof a).key && Object.is(a.value, (b as typeof a).value)
      );
    case "divide":
      return Object.is(a.value, (b as typeof a).value);
  }
}

export class Pending {
  private ops: PendingOp[] = [];
  private counts: Int32Array;
  private noiseUsed = new Set<Slot>();

  constructor(private readonly store: Store) {
    this.counts = new Int32Array(store.slotList.length);
  }

  get size(): number {
    return this.ops.length;
  }

  record(op: PendingOp): void {
    op.round = this.counts[op.slot.index]!++;
    this.ops.push(op);
  }

  /** Whether the noise scratch segment of `slot` already holds pending noise. */
  noisePending(slot: Slot): boolean {
    return this.noiseUsed.has(slot);
  }

  recordNoise(op: Extract<PendingOp, { kind: "noise" }>): void {
    this.noiseUsed.add(op.slot);
    this.record(op);
  }

  /** Discard pending work (nothing of it reached the backend). */
  discard(): void {
    for (const op of this.ops) this.counts[op.slot.index] = 0;
    this.ops = [];
    this.noiseUsed.clear();
  }

  /** Issue every pending operation, batched. */
  *flush(): Job<void> {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.discard();
    const groups: Group[] = [];
    let last: Group | null = null;
    for (const op of ops) {
      if (last === null || !sameCall(last.first, op)) {
        last = groups.find((g) => sameCall(g.first, op)) ?? null;
        if (last === null) groups.push((last = { first: op, ops: [] }));
      }
      last.ops.push(op);
    }
    groups.sort((a, b) => a.first.round - b.first.round);
    for (const g of groups) yield* this.issue(g);
  }

  private *issue(g: Group): Job<void> {
    const { store } = this;
    const backend = store.backend;
    const op = g.first;
    const dtype = op.slot.dtype;
    switch (op.kind) {
      case "optimizer": {
        const kernel = backend.optimizers[op.name];
        if (kernel === undefined) throw new Error(`resident run: no ${op.name} kernel`);
        store.settle(kernel.update(dtype, store.optimizerBuffers(dtype), g.ops as (typeof op)[]));
        return;
      }
      case "hook":
      case "noise": {
        const hk = backend.hooks[op.name];
        if (hk === undefined) throw new Error(`resident run: no ${op.name} hook kernel`);
        const param = store.buffer(dtype, "param", "");
        const grad = store.buffer(dtype, "grad", "");
        if (op.kind === "noise") {
          const noise = store.noiseBuffer(dtype);
          for (const o of g.ops) store.settle(backend.memory.write(noise, (o as typeof op).noise.data, o.slot.offset));
          const segs = g.ops.map((o): HookSegment => ({
            offset: o.slot.offset,
            length: o.slot.length,
            scalars: (o as typeof op).scalars,
          }));
          store.settle(hk.apply(dtype, { param, grad, noise }, segs));
          return;
        }
        let segs: HookSegment[];
        if (op.plan.kind === "norms") {
          // The norms each segment's scalars need, as the segments stand now (earlier rounds issued).
          const red = backend.reductions;
          const wants = op.plan.desc.reductions;
          const sq = yield* values(
            g.ops.flatMap((o) => [
              wants.includes("param") ? red.sumSquares(dtype, param, o.slot.offset, o.slot.length) : NaN,
              wants.includes("grad") ? red.sumSquares(dtype, grad, o.slot.offset, o.slot.length) : NaN,
            ]),
          );
          segs = g.ops.map((o, i) => {
            const plan = (o as typeof op).plan as Extract<HookPlan, { kind: "norms" }>;
            return {
              offset: o.slot.offset,
              length: o.slot.length,
              scalars: normScalars(plan, dtype, sq[2 * i]!, sq[2 * i + 1]!),
            };
          });
        } else {
          segs = g.ops as (typeof op)[];
        }
        store.settle(hk.apply(dtype, { param, grad }, segs));
        return;
      }
      case "fill": {
        const buf = store.buffer(dtype, op.role, op.key);
        const spans: Span[] = g.ops.map((o) => o.slot);
        if (backend.elementwise) store.settle(backend.elementwise.fill(dtype, buf, spans, op.value));
        else
          for (const s of spans)
            store.settle(backend.memory.write(buf, new Float64Array(s.length).fill(op.value), s.offset));
        return;
      }
      case "divide": {
        const buf = store.buffer(dtype, "grad", "");
        if (backend.elementwise) {
          store.settle(
            backend.elementwise.divide(
              dtype,
              buf,
              g.ops.map((o) => o.slot),
              op.value,
            ),
          );
          return;
        }
        // Without the elementwise extension: read, divide with the spec, write back.
        yield* store.drain();
        for (const o of g.ops) {
          const cur = yield* store.read(o.slot.grad);
          store.write(o.slot.grad, idiv(cur, op.value));
        }
        return;
      }
    }
  }
}
