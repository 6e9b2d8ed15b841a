/**
 * The one dispatch skeleton of the JS backend's optimizer kernels: check the buffers' types, pack
 * the segments' scalars (`backends/kernel-scalars.ts`: bounds, refusals, required buffers and
 * extras, all validated before anything is written), then per segment either run the kernel's
 * loop body or, for a float32 segment whose scalars widen the dtype, the spec's own update.
 * A kernel file only supplies its two loop bodies.
 */
import type { OptimizerBuffers, OptimizerKernel, Segment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import type { OptimizerDef } from "../../spec/optimizers/types.js";
import type { KernelScalars } from "../../spec/optimizers/kernel-scalars.js";
import { SEG_SPEC, ScalarTable, scalarLayout } from "../kernel-scalars.js";
import { type JsBuffer, asF32, asF64, isFloat32, specUpdateSegment } from "./memory.js";

/**
 * A loop body over `[start, end)`: `s` holds the state buffers in the order of
 * `kernelScalars.states` (a buffer the segment does not need may be a stand-in it must not
 * touch), `sc[o + field]` the segment's scalars.
 */
export type LoopBody<A> = (
  p: A,
  g: A,
  s: readonly A[],
  start: number,
  end: number,
  sc: Float64Array,
  o: number,
) => void;

function scalarsOf(def: OptimizerDef): KernelScalars {
  const desc = def.kernelScalars;
  if (desc === undefined) throw new TypeError(`${def.name} declares no kernel scalars`);
  return desc;
}

/** The row offset of each named scalar of a definition's kernel (throws on an unknown name). */
export function scalarFields<N extends string>(def: OptimizerDef, names: readonly N[]): Readonly<Record<N, number>> {
  const { field } = scalarLayout(scalarsOf(def));
  const out = {} as Record<N, number>;
  for (const n of names) {
    const f = field[n];
    if (f === undefined) throw new TypeError(`${def.name} declares no kernel scalar ${n}`);
    out[n] = f;
  }
  return out;
}

export function jsOptimizerKernel(
  def: OptimizerDef,
  f32: LoopBody<Float32Array>,
  f64: LoopBody<Float64Array>,
): OptimizerKernel<JsBuffer> {
  const desc = scalarsOf(def);
  const table = new ScalarTable(`js backend: ${def.name}`, desc);
  const stride = table.layout.stride;
  const keys = desc.states.map((s) => s.key);
  const s32: Float32Array[] = [];
  const s64: Float64Array[] = [];

  function run<A extends JsBuffer>(
    dtype: Dtype,
    bufs: OptimizerBuffers<JsBuffer>,
    segments: readonly Segment[],
    p: A,
    g: A,
    s: A[],
    as: (b: unknown, what: string) => A,
    body: LoopBody<A>,
  ): void {
    let limit = Math.min(p.length, g.length);
    for (let j = 0; j < keys.length; j++) {
      const b = bufs.state[keys[j]!];
      // An absent buffer is needed by no segment (the table checks): the parameter stands in, so
      // that the loop stays monomorphic.
      const a = b === undefined ? p : as(b, `state ${keys[j]}`);
      limit = Math.min(limit, a.length);
      s[j] = a;
    }
    const sc = table.pack(dtype, segments, limit, bufs.state);
    for (let k = 0; k < segments.length; k++) {
      const o = k * stride;
      const seg = segments[k]!;
      // Bounds from the segment (small integers), not the table's doubles: an integer loop index
      // keeps the typed-array accesses fast.
      if (sc[o + SEG_SPEC] === 1) specUpdateSegment(def, dtype, bufs, seg);
      else body(p, g, s, seg.offset, seg.offset + seg.length, sc, o);
    }
  }

  return {
    update(dtype: Dtype, bufs: OptimizerBuffers<JsBuffer>, segments: readonly Segment[]): void {
      if (isFloat32(dtype, def.name))
        run(dtype, bufs, segments, asF32(bufs.param, "param"), asF32(bufs.grad, "grad"), s32, asF32, f32);
      else run(dtype, bufs, segments, asF64(bufs.param, "param"), asF64(bufs.grad, "grad"), s64, asF64, f64);
    },
  };
}
