/**
 * The picture of a run, as hand-written SVG: one panel per optimizer / hook, elements per second
 * against elements (log-log). Lines: each backend's kernel, the spec state machine on a backend,
 * the reference spec, the TF.js peers, and the roofline (the triad's bandwidth over the kernel's
 * bytes per element). float32 solid, float64 dashed with hollow dots; the many-small case (1,000 tensors) is a
 * hollow diamond at its total element count.
 */
import { TRAFFIC } from "./bytes.js";
import type { BenchReport, BenchRow } from "./result.js";

const W = 380,
  H = 280,
  M = { l: 58, r: 20, t: 26, b: 36 },
  COLS = 3,
  LEGEND_COLS = 5;
const PALETTE = ["#1f77b4", "#d62728", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
const FIXED: Readonly<Record<string, string>> = {
  "peer:tfjs-cpu": "#ff7f0e",
  "peer:tfjs-wasm": "#2ca02c",
  "spec:spec": "#7f7f7f",
  roofline: "#000000",
};

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f = (x: number): string => x.toFixed(1);

function siLabel(x: number): string {
  for (const [v, s] of [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ] as const)
    if (x >= v) return `${+(x / v).toPrecision(3)}${s}`;
  return String(+x.toPrecision(3));
}

function colorOf(series: string, others: Map<string, string>): string {
  const fixed = FIXED[series] ?? (series.startsWith("state-machine:") ? "#9467bd" : undefined);
  if (fixed !== undefined) return fixed;
  if (!others.has(series)) others.set(series, PALETTE[others.size % PALETTE.length] as string);
  return others.get(series) as string;
}

interface Pt {
  x: number;
  y: number;
}

export function renderChart(report: BenchReport): string {
  const rows = report.results.filter((r) => r.elementsPerSec > 0);
  const roof = rows.filter((r) => r.via === "roofline");
  const work = rows.filter((r) => r.via !== "roofline");
  // The roofline line joins the single-tensor sizes (the many-small case has its own triad size).
  const singleSizes = new Set(work.filter((r) => r.tensors === 1).map((r) => r.elements));
  const order = Object.keys(TRAFFIC);
  const variants = [...new Set(work.map((r) => r.variant))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const roofPts = (variant: string, dtype: string): Pt[] => {
    const bpe = work.find((r) => r.variant === variant && r.dtype === dtype)?.bytesPerElement ?? 0;
    return roof
      .filter((r) => r.dtype === dtype && bpe > 0 && singleSizes.has(r.elements))
      .map((r) => ({ x: r.elements, y: (r.gbps * 1e9) / bpe }));
  };
  const allY = [
    ...work.map((r) => r.elementsPerSec),
    ...variants.flatMap((v) => ["float32", "float64"].flatMap((d) => roofPts(v, d).map((p) => p.y))),
  ];
  const allX = rows.map((r) => r.elements);
  if (allX.length === 0) allX.push(1e3, 1e7);
  if (allY.length === 0) allY.push(1e6, 1e9);
  const x0 = Math.floor(Math.log10(Math.min(...allX)) - 0.2),
    x1 = Math.ceil(Math.log10(Math.max(...allX)) + 0.2);
  const y0 = Math.floor(Math.log10(Math.min(...allY))),
    y1 = Math.ceil(Math.log10(Math.max(...allY)));
  const pw = W - M.l - M.r,
    ph = H - M.t - M.b;
  const sx = (x: number) => M.l + ((Math.log10(x) - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => M.t + ph - ((Math.log10(y) - y0) / (y1 - y0)) * ph;

  const others = new Map<string, string>();
  const legend = new Map<string, string>();
  const panels = variants.map((variant, i) => {
    const ox = (i % COLS) * W,
      oy = Math.floor(i / COLS) * H;
    const out: string[] = [
      `<g transform="translate(${ox},${oy})">`,
      `<rect x="${M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#999"/>`,
    ];
    for (let e = x0; e <= x1; e++)
      out.push(
        `<line x1="${f(sx(10 ** e))}" y1="${M.t}" x2="${f(sx(10 ** e))}" y2="${M.t + ph}" stroke="#eee"/>`,
        `<text x="${f(sx(10 ** e))}" y="${M.t + ph + 14}" text-anchor="middle">${siLabel(10 ** e)}</text>`,
      );
    for (let e = y0; e <= y1; e++)
      out.push(
        `<line x1="${M.l}" y1="${f(sy(10 ** e))}" x2="${M.l + pw}" y2="${f(sy(10 ** e))}" stroke="#eee"/>`,
        `<text x="${M.l - 4}" y="${f(sy(10 ** e) + 4)}" text-anchor="end">${siLabel(10 ** e)}/s</text>`,
      );
    out.push(
      `<text x="${M.l + pw / 2}" y="${M.t - 8}" text-anchor="middle" font-weight="bold">${esc(variant)}</text>`,
      `<text x="${M.l + pw / 2}" y="${H - 6}" text-anchor="middle">elements</text>`,
    );
    const line = (pts: Pt[], color: string, dash: string, title: string, hollow = false) => {
      const sorted = [...pts].sort((a, b) => a.x - b.x);
      if (sorted.length === 0) return;
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ""} points="${sorted.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(" ")}"><title>${esc(title)}</title></polyline>`,
      );
      const fill = hollow ? `fill="#fff" stroke="${color}" stroke-width="1.2"` : `fill="${color}"`;
      for (const p of sorted) out.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="2.6" ${fill}/>`);
    };
    for (const dtype of ["float32", "float64"]) {
      const pts = roofPts(variant, dtype);
      if (pts.length > 0 && work.some((r) => r.variant === variant && r.dtype === dtype)) {
        line(
          pts,
          FIXED["roofline"] as string,
          dtype === "float64" ? "2 3" : "7 3",
          `roofline ${dtype}`,
          dtype === "float64",
        );
        legend.set(`roofline ${dtype}`, `${FIXED["roofline"]}|${dtype === "float64" ? "2 3" : "7 3"}`);
      }
    }
    const mine = work.filter((r) => r.variant === variant);
    const series = new Map<string, BenchRow[]>();
    for (const r of mine) {
      const k = `${r.via}:${r.backend}|${r.dtype}`;
      series.set(k, [...(series.get(k) ?? []), r]);
    }
    for (const [k, rs] of series) {
      const [s, dtype] = k.split("|") as [string, string];
      const color = colorOf(s, others);
      const dash = dtype === "float64" ? "5 3" : "";
      legend.set(`${s} ${dtype}`, `${color}|${dash}`);
      line(
        rs.filter((r) => r.tensors === 1).map((r) => ({ x: r.elements, y: r.elementsPerSec })),
        color,
        dash,
        `${s} ${dtype}`,
        dtype === "float64",
      );
      for (const r of rs.filter((r) => r.tensors > 1)) {
        const cx = sx(r.elements),
          cy = sy(r.elementsPerSec);
        out.push(
          `<path d="M${f(cx)},${f(cy - 5)} L${f(cx + 5)},${f(cy)} L${f(cx)},${f(cy + 5)} L${f(cx - 5)},${f(cy)} Z" fill="none" stroke="${color}" stroke-width="1.5"><title>${esc(`${s} ${dtype} ${r.shape}`)}</title></path>`,
        );
      }
    }
    out.push("</g>");
    return out.join("\n");
  });

  const items = [...legend.entries()];
  const header = 44 + Math.ceil(items.length / LEGEND_COLS) * 14 + 4;
  const width = COLS * W,
    height = header + Math.max(1, Math.ceil(variants.length / COLS)) * H;
  const e = report.env;
  const k = report.settings["kernels"];
  const which = Array.isArray(k) ? ` (${k.join(", ")})` : "";
  const title = `optspec: elements/s vs elements (log-log), ${report.mode} mode${which}, node ${e.node}, ${e.cpuModel} × ${e.cores}, ${e.date.slice(0, 10)}${e.gitCommit ? `, ${e.gitCommit.slice(0, 10)}` : ""}`;
  const legendSvg = items.map(([label, style], i) => {
    const [color, dash] = style.split("|") as [string, string];
    const lx = 10 + (i % LEGEND_COLS) * 225,
      ly = 52 + Math.floor(i / LEGEND_COLS) * 14;
    return `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 26}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/><text x="${lx + 32}" y="${ly}">${esc(label)}</text>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="#fafafa"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
    ...legendSvg,
    `<text x="10" y="34">${esc(`Lines: one tensor per size (float32 solid dots, float64 dashed, hollow dots). ◇: ${manyLabel(work)}. Black dashed: the roofline, the Wasm SIMD triad's GB/s over the kernel's bytes per element.`)}</text>`,
    `<g transform="translate(0,${header})">`,
    ...panels,
    `</g>`,
    `</svg>`,
    "",
  ].join("\n");
}

function manyLabel(rows: readonly BenchRow[]): string {
  const m = rows.find((r) => r.tensors > 1);
  return m === undefined ? "many small tensors" : `${m.shape} (many small tensors, one step)`;
}
