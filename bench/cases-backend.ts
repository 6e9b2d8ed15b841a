/**
 * Cases that call a backend's kernels directly: an optimizer kernel or a per-parameter hook kernel
 * over `tensors` segments of packed buffers (one tensor of N elements is one segment; the
 * many-small-tensors case is one call with 1,000 segments, the multi-tensor path).
 */
import type { AnyBackend, HookSegment, Segment } from "../backends/contract.js";
import type { Dtype, OptimizerDef } from "../spec/index.js";
import { type Case, parts } from "./case.js";
import { bytesPerElement, optimizerBytes } from "./bytes.js";
import { RULE_T, benchHook, hyperparamsFor, stateRange, uniform } from "./workload.js";

async function upload(backend: AnyBackend, dtype: Dtype, values: Float64Array): Promise<unknown> {
  const buf = backend.memory.alloc(dtype, values.length);
  await backend.memory.write(buf, values, 0);
  return buf;
}

function freer(backend: AnyBackend, bufs: readonly unknown[]): () => void {
  return () => {
    for (const b of bufs) backend.memory.free?.(b);
  };
}

/**
 * An optimizer kernel step with the data resident; with `readback`, each step also reads the updated
 * parameter back to the host (the cost a caller pays for looking at it every step). `device` marks
 * the rows with what the backend runs on (a GPU adapter, possibly a software one).
 */
export function optimizerCase(
  backend: AnyBackend,
  def: OptimizerDef,
  dtype: Dtype,
  elements: number,
  tensors: number,
  opts: { readback?: boolean; device?: string } = {},
): Case | undefined {
  const kernelName = def.kernel ?? def.name;
  const kernel = backend.optimizers[kernelName];
  if (kernel === undefined || !backend.dtypes.includes(dtype)) return undefined;
  const notes = [
    opts.device !== undefined ? `on ${opts.device}` : "",
    opts.readback ? "step + read back the parameter" : "",
  ].filter((x) => x !== "");
  return {
    via: "kernel",
    backend: backend.name,
    kernel: kernelName,
    variant: opts.readback ? `${def.name}+readback` : def.name,
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
    category: "optimizer",
    dtype,
    elements,
    tensors,
    bytesPerElement: optimizerBytes(def, dtype),
    async prepare() {
      const hp = hyperparamsFor(def);
      const keys = Object.keys(def.initState({ dtype, shape: [0], data: new Float64Array(0) }, hp));
      const param = await upload(backend, dtype, uniform(elements, -1, 1, dtype, 11));
      const grad = await upload(backend, dtype, uniform(elements, -1, 1, dtype, 22));
      const state: Record<string, unknown> = {};
      for (const [i, k] of keys.entries()) {
        const [lo, hi] = stateRange(k);
        state[k] = await upload(backend, dtype, uniform(elements, lo, hi, dtype, 33 + i));
      }
      const extras = def.ruleExtras?.(hp) ?? {};
      const segments: Segment[] = parts(elements, tensors).map((p) => ({ ...p, hp, t: RULE_T, extras }));
      const bufs = { param, grad, state };
      const step = opts.readback
        ? async () => {
            await kernel.update(dtype, bufs, segments);
            await backend.memory.read(param, 0, elements);
          }
        : () => kernel.update(dtype, bufs, segments);
      return { step, dispose: freer(backend, [param, grad, ...Object.values(state)]) };
    },
  };
}

export function hookCase(
  backend: AnyBackend,
  kind: string,
  dtype: Dtype,
  elements: number,
  tensors: number,
): Case | undefined {
  const w = benchHook(kind);
  const kernel = w === undefined ? undefined : backend.hooks[w.desc.name];
  const bpe = bytesPerElement(kind, dtype);
  if (kernel === undefined || w === undefined || bpe === undefined || !backend.dtypes.includes(dtype)) return undefined;
  const { desc } = w;
  return {
    via: "kernel",
    backend: backend.name,
    kernel: desc.name,
    variant: kind,
    category: "hook",
    dtype,
    elements,
    tensors,
    bytesPerElement: bpe,
    async prepare() {
      const param = await upload(backend, dtype, uniform(elements, -1, 1, dtype, 11));
      const grad = await upload(backend, dtype, uniform(elements, -1, 1, dtype, 22));
      const noise = desc.reads.includes("noise")
        ? await upload(backend, dtype, uniform(elements, -0.01, 0.01, dtype, 44))
        : undefined;
      // The scalars as the engine prepares them, reductions included, outside the timed call.
      const segments: HookSegment[] = [];
      for (const p of parts(elements, tensors)) {
        const reduce = async (buf: unknown, on: boolean): Promise<number> =>
          on ? await backend.reductions.sumSquares(dtype, buf, p.offset, p.length) : NaN;
        const scalars = desc.scalarsOf({
          args: w.args,
          lossScale: null,
          dtype,
          paramSumSquares: await reduce(param, desc.reductions.includes("param")),
          gradSumSquares: await reduce(grad, desc.reductions.includes("grad")),
        });
        segments.push({ ...p, scalars });
      }
      const bufs = noise === undefined ? { param, grad } : { param: grad, grad, noise };
      return {
        step: () => kernel.apply(dtype, bufs, segments),
        dispose: freer(backend, noise === undefined ? [param, grad] : [param, grad, noise]),
      };
    },
  };
}
