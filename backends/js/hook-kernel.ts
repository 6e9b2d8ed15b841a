/**
 * The one dispatch skeleton of the JS backend's per-parameter hook kernels, driven by the hook
 * kind's description (`HookKind.kernel`): check the buffers it reads (`grad`, and `param` or
 * `noise`), validate every segment's bounds and required scalars before anything is written,
 * then run the hook's loop body per segment. A hook supplies only its two loop bodies.
 */
import type { HookKernel, HookSegment } from "../contract.js";
import type { Dtype } from "../../spec/numerics/dtype.js";
import type { HookKind, PerParamKernelDesc } from "../../spec/hooks/types.js";
import { type JsBuffer, asF32, asF64, checkSegment } from "./memory.js";

/**
 * A loop body over `[start, end)` of one segment: rewrites `g` from `x`, the buffer the hook
 * reads (`param`, `noise`, or `g` itself when it reads neither), with the segment's scalars.
 */
export type HookBody<A> = (g: A, x: A, start: number, end: number, seg: HookSegment) => void;

function descOf(kind: HookKind): PerParamKernelDesc {
  if (kind.kernel?.scope !== "param") throw new TypeError(`${kind.kind} has no per-parameter kernel`);
  return kind.kernel;
}

export function jsHookKernel(
  kind: HookKind,
  f32: HookBody<Float32Array>,
  f64: HookBody<Float64Array>,
): HookKernel<JsBuffer> {
  const desc = descOf(kind);
  const label = `js backend: ${desc.name}`;
  const required = desc.scalars.filter((s) => !s.nullable).map((s) => s.name);
  const reads = desc.reads.includes("noise") ? "noise" : desc.reads.includes("param") ? "param" : null;

  function run<A extends JsBuffer>(g: A, x: A, segments: readonly HookSegment[], body: HookBody<A>): void {
    const limit = Math.min(g.length, x.length);
    for (let k = 0; k < segments.length; k++) {
      const seg = segments[k]!;
      checkSegment(seg.offset, seg.length, limit);
      for (const name of required) {
        if (typeof seg.scalars[name] !== "number") throw new TypeError(`${label} needs a number scalar ${name}`);
      }
    }
    for (let k = 0; k < segments.length; k++) {
      const seg = segments[k]!;
      body(g, x, seg.offset, seg.offset + seg.length, seg);
    }
  }

  return {
    apply(
      dtype: Dtype,
      bufs: { readonly param: JsBuffer; readonly grad: JsBuffer; readonly noise?: JsBuffer },
      segments: readonly HookSegment[],
    ): void {
      if (reads === "noise" && bufs.noise === undefined) throw new TypeError(`${label} needs a noise buffer`);
      const other = reads === "noise" ? bufs.noise! : reads === "param" ? bufs.param : bufs.grad;
      if (dtype === "float32") run(asF32(bufs.grad, "grad"), asF32(other, reads ?? "grad"), segments, f32);
      else if (dtype === "float64") run(asF64(bufs.grad, "grad"), asF64(other, reads ?? "grad"), segments, f64);
      else throw new TypeError(`${label} does not compute ${dtype}`);
    },
  };
}
