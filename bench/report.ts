/** The console table of a run: one row per result, peers' time ratios beside our rows. */
import { TRAFFIC } from "./bytes.js";
import type { BenchReport, BenchRow } from "./result.js";

export function fmtTime(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

export function fmtRate(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

const pct = (x: number | null): string => (x === null ? "-" : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`);
const ratio = (x: number | undefined): string => (x === undefined ? "" : `${x < 0.1 ? x.toFixed(3) : x.toFixed(2)}×`);

const ORDER = ["roofline", "kernel", "state-machine", "raw-calls", "spec", "peer"];

const VARIANTS = Object.keys(TRAFFIC);

function sortKey(r: BenchRow): string {
  const cat = r.category === "roofline" ? 0 : r.category === "optimizer" ? 1 : 2;
  const v = VARIANTS.indexOf(r.variant);
  return [
    cat,
    String(v < 0 ? 999 : v).padStart(3, "0"),
    r.variant,
    r.dtype,
    String(r.tensors).padStart(6, "0"),
    String(r.elements).padStart(10, "0"),
    ORDER.indexOf(r.via),
    r.backend,
  ].join("|");
}

export function formatTable(report: BenchReport): string {
  const peers = [...new Set(report.results.filter((r) => r.via === "peer").map((r) => r.backend))];
  // Backends that run on a device say which (a software adapter's figures are not a GPU's).
  const devices = new Map(
    report.backends.flatMap((b) =>
      b.device !== undefined && b.skipped === undefined ? [[b.name, b.device] as const] : [],
    ),
  );
  const head = [
    "what",
    "dtype",
    "shape",
    "via:backend",
    "time/op",
    "±rme",
    "n",
    "elem/s",
    "B/el",
    "GB/s",
    "roofline",
    "t/t(raw)",
    ...peers.map((p) => `t/t(${p})`),
  ];
  const rows = [...report.results]
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
    .map((r) => [
      r.variant,
      r.dtype,
      r.shape,
      `${r.via}:${r.backend}${devices.has(r.backend) && r.via === "kernel" ? "†" : ""}${r.afterDetach ? "*" : ""}`,
      fmtTime(r.meanMs),
      `${r.rmePct.toFixed(1)}%`,
      String(r.samples),
      fmtRate(r.elementsPerSec),
      String(r.bytesPerElement),
      r.gbps.toFixed(2),
      r.via === "roofline" ? "(= 100%)" : pct(r.rooflineFraction),
      ratio(r.rawCallsRatio),
      ...peers.map((p) => ratio(r.peerTimeRatio[p])),
    ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 4 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  return [
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    "t/t(peer): our time over the peer's for the same work (below 1: faster than the peer).",
    "t/t(raw): a resident run's whole update() over the raw backend calls that step needs, timed in the same run (targets: 1.25× plain Adam, 1.5× with hooks).",
    "roofline: achieved GB/s over the Wasm SIMD triad's at the same dtype and size in this run (in-place kernels pay no write-allocate, so >100% is possible).",
    "spec: the reference spec itself, timed at the smaller sizes only. *: timed after an ArrayBuffer detach (TF.js wasm heap growth).",
    ...[...devices].map(
      ([name, device]) =>
        `†: ${name} runs on ${device}; +readback: each step also reads the parameter back to the host.`,
    ),
  ].join("\n");
}
