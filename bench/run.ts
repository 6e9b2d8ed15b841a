/**
 * A whole run, in an order chosen for fair timings:
 * 1. the roofline (Wasm triad) at every dtype and element count the run uses;
 * 2. every backend's optimizer and hook kernels, one tensor of each size, then the many-small case
 *    (one kernel call with `tensors` segments);
 * 3. a resident run's whole update() over the many-small model on each backend, each next to the
 *    raw kernel calls that step needs (Adam, MomentumSGD, SGD; Adam with hooks; Adam with dynamic
 *    loss scaling);
 * 4. the reference spec (smaller sizes only);
 * 5. TF.js cpu, then TF.js wasm last: its heap growth detaches ArrayBuffers, after which V8 runs
 *    every JS typed-array loop 1.2–1.6× slower for the life of the process. Rows carry
 *    `afterDetach`; in a normal run only the TF.js wasm rows are true.
 */
import type { Dtype, OptimizerDef } from "../spec/index.js";
import { OPTIMIZERS } from "../spec/index.js";
import { loadBackends } from "./backends.js";
import type { Case } from "./case.js";
import { hookCase, optimizerCase } from "./cases-backend.js";
import { rawCallsCase, scenarios, stateMachineCase } from "./cases-model.js";
import { specHookCase, specOptimizerCase } from "./cases-spec.js";
import { type RawRow, derive } from "./derive.js";
import { captureEnv } from "./env.js";
import { measure } from "./harness.js";
import type { BenchOptions } from "./options.js";
import { PEER_VARIANTS, type TfjsPeer, loadTfjs } from "./peers-tfjs.js";
import { type BenchEnv, type BenchReport, shapeLabel } from "./result.js";
import { HOOKS } from "./workload.js";
import { triadCase } from "./wasm-triad.js";

export type Log = (line: string) => void;

/** The optimizers whose whole step is timed by default (`--state-machine` overrides). */
const STATE_MACHINE = ["Adam", "MomentumSGD", "SGD"];

const selected = (o: BenchOptions, name: string): boolean => o.kernels === null || o.kernels.includes(name);

function optimizerDefs(o: BenchOptions): OptimizerDef[] {
  return Object.values(OPTIMIZERS).filter((d) => selected(o, d.name));
}

function hookKinds(o: BenchOptions): string[] {
  return HOOKS.map((h) => h.kind.kind).filter((k) => selected(o, k));
}

/** Each single-tensor size, then the many-small case: [elements, tensors]. */
function shapes(o: BenchOptions): [number, number][] {
  const out: [number, number][] = o.sizes.map((n) => [n, 1]);
  if (o.many !== null) out.push([o.many.tensors * o.many.length, o.many.tensors]);
  return out;
}

function fmtCase(c: Omit<Case, "prepare">): string {
  return `${c.via}:${c.backend} ${c.variant} ${c.dtype} ${shapeLabel(c.elements, c.tensors)}`;
}

export async function runBench(o: BenchOptions, argv: readonly string[], log: Log): Promise<BenchReport> {
  const t0 = performance.now();
  const raw: RawRow[] = [];
  let afterDetach = false;
  const run = async (c: Case): Promise<void> => {
    const prepared = await c.prepare();
    try {
      const m = await measure(fmtCase(c), prepared.step, o.timing);
      // oxlint-disable-next-line typescript/unbound-method -- destructured only to leave it out
      const { prepare: _omit, ...meta } = c;
      raw.push({ ...m, case: meta, afterDetach });
      log(
        `  ${fmtCase(c).padEnd(52)} ${(m.meanMs * 1e3).toFixed(1).padStart(12)} µs ±${m.rmePct.toFixed(1)}% (${m.samples} samples)`,
      );
    } finally {
      await prepared.dispose();
    }
  };

  const loaded = await loadBackends(o.backends);
  for (const p of loaded.problems) log(`note: ${p}`);
  const defs = optimizerDefs(o);
  const hooks = hookKinds(o);

  const kernelCases: Case[] = [];
  // dtype by dtype (so a float32-only run's JIT history is close to the float32 part of a full
  // run's), kernel by kernel, sizes growing.
  for (const b of loaded.backends) {
    const device = loaded.listing.find((l) => l.name === b.name)?.device;
    for (const dtype of o.dtypes) {
      for (const def of defs) {
        for (const [elements, tensors] of shapes(o)) {
          const c = optimizerCase(b, def, dtype, elements, tensors, device !== undefined ? { device } : {});
          if (c !== undefined) kernelCases.push(c);
          // A device-resident backend also shows what reading the result back every step costs.
          const r =
            b.mode === "async"
              ? optimizerCase(b, def, dtype, elements, tensors, {
                  readback: true,
                  ...(device !== undefined ? { device } : {}),
                })
              : undefined;
          if (r !== undefined) kernelCases.push(r);
        }
      }
      for (const k of hooks) {
        for (const [elements, tensors] of shapes(o)) {
          const c = hookCase(b, k, dtype, elements, tensors);
          if (c !== undefined) kernelCases.push(c);
        }
      }
    }
  }
  const modelCases: Case[] = [];
  if (o.many !== null) {
    for (const b of loaded.backends) {
      for (const s of scenarios(
        defs.filter((d) =>
          o.stateMachine === null ? STATE_MACHINE.includes(d.name) : o.stateMachine.includes(d.name),
        ),
      )) {
        // The resident run's step, then the raw calls it needs: timed next to each other.
        const c = stateMachineCase(b, s, "float32", o.many.tensors, o.many.length);
        const r = rawCallsCase(b, s, "float32", o.many.tensors, o.many.length);
        if (c !== undefined && r !== undefined) modelCases.push(c, r);
      }
    }
  }
  const specCases: Case[] = [];
  for (const dtype of o.dtypes) {
    for (const def of defs) for (const n of o.specSizes) specCases.push(specOptimizerCase(def, dtype, n));
    for (const k of hooks) {
      for (const n of o.specSizes) {
        const c = specHookCase(k, dtype, n);
        if (c !== undefined) specCases.push(c);
      }
    }
  }
  const peerVariants = PEER_VARIANTS.filter((v) => selected(o, v));
  const roofKeys = new Map<string, [Dtype, number]>();
  const planned = [...kernelCases, ...modelCases, ...specCases];
  for (const c of planned) roofKeys.set(`${c.dtype}/${c.elements}`, [c.dtype, c.elements]);
  if (o.peers.length > 0 && peerVariants.length > 0)
    for (const [n] of shapes(o)) roofKeys.set(`float32/${n}`, ["float32", n]);

  log(`roofline (Wasm SIMD triad): ${roofKeys.size} cases`);
  for (const [dtype, n] of roofKeys.values()) if (dtype !== "float16") await run(triadCase(dtype, n));
  log(
    `backend kernels: ${kernelCases.length} cases on ${loaded.backends.map((b) => b.name).join(", ") || "no backend"}`,
  );
  for (const c of kernelCases) await run(c);
  if (modelCases.length > 0)
    log(`resident update() over ${o.many?.tensors} parameters, and the raw calls it needs: ${modelCases.length} cases`);
  for (const c of modelCases) await run(c);
  if (specCases.length > 0)
    log(`reference spec (slow baseline, sizes ${o.specSizes.join(", ")} only): ${specCases.length} cases`);
  for (const c of specCases) await run(c);

  let tfjsVersion: string | null = null;
  let tfjsWasm: BenchEnv["tfjsWasm"] = null;
  for (const name of o.peers) {
    if (peerVariants.length === 0) break;
    let peer: TfjsPeer;
    try {
      peer = await loadTfjs(name);
    } catch (e) {
      log(`note: ${name} skipped: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (name === "tfjs-wasm") afterDetach = true;
    tfjsVersion = peer.version;
    tfjsWasm = peer.wasm ?? tfjsWasm;
    log(
      `peer ${name} ${peer.version}${peer.wasm ? ` (wasm simd=${peer.wasm.simd}, threads=${peer.wasm.threads})` : ""}`,
    );
    for (const v of peerVariants)
      for (const [elements, tensors] of shapes(o)) await run(peer.cases(v, elements, tensors));
  }

  const env = captureEnv(tfjsWasm);
  return {
    schema: "optspec-bench/1",
    mode: o.mode,
    argv,
    env: { ...env, tfjs: tfjsVersion ?? env.tfjs },
    settings: {
      sizes: o.sizes,
      specSizes: o.specSizes,
      dtypes: o.dtypes,
      kernels: o.kernels ?? "all",
      many: o.many,
      peers: o.peers,
      timing: o.timing,
      roofline:
        "Wasm SIMD128 triad a = b + s·c at the same dtype and element count, same process (bench/wasm-triad.ts)",
      bytes: "bench/bytes.ts",
    },
    backends: loaded.listing,
    results: derive(raw),
    wallSeconds: (performance.now() - t0) / 1e3,
  };
}
