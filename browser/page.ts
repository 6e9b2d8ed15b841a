/**
 * The browser page (served by `npm run serve`, bundled by scripts/build-browser.mjs): runs the
 * conformance kit and a short bench on every backend this browser offers, and shows the report
 * table and a chart. Golden data comes over HTTP (the manifest lists the files), never from `fs`.
 * When it has finished, `document.body.dataset.state` is "done" (or "error"); the browser test
 * waits for that and reads what the page shows.
 */
import { listBackends, type AnyBackend } from "../backends/index.js";
import { optimizerCase } from "../bench/cases-backend.js";
import {
  closingLines,
  groupChecks,
  groupResult,
  groupSummaries,
  LEGEND,
  runBoundedConformance,
  runConformance,
  type BoundedReport,
  type ConformanceReport,
  type GoldenSource,
} from "../conformance/index.js";
import { OPTIMIZERS } from "../spec/index.js";

interface Manifest {
  /** URL of the golden directory, relative to this page. */
  readonly base: string;
  readonly files: readonly string[];
}

interface BenchPoint {
  readonly backend: string;
  readonly kernel: string;
  readonly elements: number;
  readonly elementsPerSecond: number;
}

const params = new URLSearchParams(location.search);
const numRuns = Number(params.get("runs") ?? 10);
const seedParam = params.get("seed");
const runBench = params.get("bench") !== "0";

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const status = (text: string): void => {
  $("status").textContent = text;
};
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function table(
  head: readonly string[] | null,
  rows: readonly (readonly string[])[],
  cls?: (row: readonly string[], col: number) => string,
): HTMLTableElement {
  const t = document.createElement("table");
  if (head !== null) {
    const tr = t.createTHead().insertRow();
    for (const h of head) tr.appendChild(Object.assign(document.createElement("th"), { textContent: h }));
  }
  const body = t.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    r.forEach((cell, i) => {
      const td = row.insertCell();
      td.textContent = cell;
      const c = cls?.(r, i);
      if (c) td.className = c;
    });
  }
  return t;
}

function para(text: string, cls: string): HTMLElement {
  return Object.assign(document.createElement("p"), { textContent: text, className: cls });
}

async function loadGolden(): Promise<GoldenSource> {
  const manifest = (await (await fetch("golden-files.json")).json()) as Manifest;
  const base = new URL(manifest.base, location.href);
  const files = new Map<string, string>();
  await Promise.all(
    manifest.files.map(async (f) => {
      const r = await fetch(new URL(f, base));
      if (!r.ok) throw new Error(`golden file ${f}: HTTP ${r.status}`);
      files.set(f, await r.text());
    }),
  );
  return { label: base.href, files };
}

async function offered(): Promise<{ ok: AnyBackend[]; rows: string[][] }> {
  const ok: AnyBackend[] = [];
  const rows: string[][] = [];
  for (const b of listBackends()) {
    let a: { readonly ok: boolean; readonly reason?: string } | undefined;
    try {
      a = await b.available?.();
    } catch (e) {
      a = { ok: false, reason: `available() threw: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (a && !a.ok)
      rows.push([b.name, "(all)", "0", `unavailable in this browser: ${a.reason ?? "no reason given"}`, "-", "-"]);
    else ok.push(b);
  }
  return { ok, rows };
}

function showEnv(backends: readonly AnyBackend[]): void {
  const gpu = "gpu" in navigator ? "navigator.gpu present" : "no WebGPU (navigator.gpu absent)";
  $("env").appendChild(
    table(null, [
      ["browser", navigator.userAgent],
      ["cores", String(navigator.hardwareConcurrency)],
      ["WebGPU", gpu],
      ["backends offered", backends.map((b) => `${b.name} (${b.description})`).join("; ") || "none"],
    ]),
  );
}

async function conformance(
  backends: readonly AnyBackend[],
  golden: GoldenSource,
  extraRows: readonly string[][],
): Promise<ConformanceReport[]> {
  const reports: ConformanceReport[] = [];
  const rows: string[][] = [...extraRows];
  for (const b of backends) {
    status(`conformance: ${b.name} (${numRuns} runs per property)…`);
    await pause();
    if (b.promise.kind === "derived") {
      // Per-operation accuracy (WebGPU on this visitor's GPU): judged within intervals derived from the spec.
      rows.push(
        ...boundedRows(
          await runBoundedConformance(b, {
            numRuns: Math.min(numRuns, 5),
            ...(seedParam !== null ? { seed: Number(seedParam) } : {}),
          }),
        ),
      );
      continue;
    }
    const r = await runConformance(b, {
      numRuns,
      goldenDirs: [golden],
      ...(seedParam !== null ? { seed: Number(seedParam) } : {}),
    });
    reports.push(r);
    for (const g of groupSummaries(r))
      rows.push([b.name, g.group, groupChecks(g), groupResult(g), String(g.maxUlp), `${(g.ms / 1000).toFixed(1)} s`]);
  }
  const el = $("conformance");
  el.appendChild(
    table(["backend", "group", "checks", "result", "max ulp", "time"], rows, (row, col) =>
      col === 3 ? (/FAILED|unavailable/.test(row[3] ?? "") ? "bad" : "ok") : "",
    ),
  );
  el.appendChild(para(LEGEND.join("\n"), "legend"));
  const failures = reports.flatMap((r) =>
    r.checks.flatMap((c) =>
      c.failures.map((f) => `✗ ${f.backend} ${f.check} [${f.clause}]: ${f.what} (seed ${f.seed})`),
    ),
  );
  el.appendChild(
    para(
      reports.flatMap((r) => closingLines(r, "the Node CLI lists them: optspec conformance --json FILE")).join("\n"),
      "notes",
    ),
  );
  if (failures.length)
    el.appendChild(Object.assign(document.createElement("pre"), { textContent: failures.join("\n"), id: "failures" }));
  return reports;
}

/** One row per check group of a bounded (derived-interval) run: elements inside, outside the promise, largest distance and width. */
function boundedRows(r: BoundedReport): string[][] {
  const groups = new Map<string, BoundedReport["checks"][number][]>();
  for (const c of r.checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return [...groups].map(([group, cs]) => {
    const ran = cs.filter((c) => c.status !== "not-applicable");
    const failed = ran.filter((c) => c.status === "failed").length;
    const inside = ran.reduce((n, c) => n + c.tally.inside, 0);
    const outside = ran.reduce((n, c) => n + c.tally.outsidePromise, 0);
    const dist = Math.max(0, ...ran.map((c) => c.tally.maxDistance));
    const width = Math.max(0, ...ran.map((c) => c.tally.maxWidth));
    const result =
      failed > 0
        ? `FAILED ${failed} of ${ran.length} checks`
        : `passed ${ran.length} of ${ran.length} checks within derived intervals (${inside} elements inside, ${outside} outside the promise; widest interval ${width} ulp)`;
    return [
      r.backend,
      group,
      `${ran.length} + ${cs.length - ran.length} n/a`,
      result,
      String(dist),
      `${(ran.reduce((t, c) => t + c.ms, 0) / 1000).toFixed(1)} s`,
    ];
  });
}

/** Time one kernel: warm up, then repeat until 150 ms have passed (at least 5 calls). */
async function timeKernel(backend: AnyBackend, name: string, elements: number): Promise<BenchPoint | undefined> {
  const def = OPTIMIZERS[name];
  const c = def && optimizerCase(backend, def, "float32", elements, 1);
  if (c === undefined) return undefined;
  const p = await c.prepare();
  try {
    for (let i = 0; i < 3; i++) await p.step();
    let calls = 0;
    const start = performance.now();
    while (calls < 5 || performance.now() - start < 150) {
      await p.step();
      calls++;
    }
    const s = (performance.now() - start) / 1000;
    return { backend: backend.name, kernel: name, elements, elementsPerSecond: (calls * elements) / s };
  } finally {
    await p.dispose();
  }
}

function chart(points: readonly BenchPoint[]): string {
  const groups = [...new Set(points.map((p) => `${p.kernel} ${p.elements}`))];
  const backends = [...new Set(points.map((p) => p.backend))];
  const max = Math.max(...points.map((p) => p.elementsPerSecond), 1);
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
  const bw = 22,
    gap = 18,
    h = 220,
    left = 60,
    top = 20;
  const gw = Math.max(backends.length * bw, 80) + gap;
  const width = left + groups.length * gw + 140;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" id="bench-chart" width="${width}" height="${h + 80}" font-size="11" font-family="sans-serif">`;
  s += `<text x="${left}" y="12">elements per second (float32, one tensor), higher is better</text>`;
  s += `<line x1="${left}" y1="${top + h}" x2="${width - 140}" y2="${top + h}" stroke="#888"/>`;
  groups.forEach((g, gi) => {
    const x0 = left + gi * gw;
    backends.forEach((b, bi) => {
      const p = points.find((q) => `${q.kernel} ${q.elements}` === g && q.backend === b);
      if (!p) return;
      const bh = (p.elementsPerSecond / max) * h;
      s += `<rect x="${x0 + bi * bw}" y="${top + h - bh}" width="${bw - 3}" height="${bh}" fill="${colors[bi % colors.length]}"><title>${b} ${g}: ${p.elementsPerSecond.toExponential(2)} elements/s</title></rect>`;
    });
    const [kernel, n] = g.split(" ");
    s += `<text x="${x0}" y="${top + h + 14}">${kernel}</text><text x="${x0}" y="${top + h + 27}">${Number(n) >= 1048576 ? `${Number(n) / 1048576} Mi` : `${Number(n) / 1024} Ki`} elements</text>`;
  });
  backends.forEach((b, bi) => {
    s += `<rect x="${width - 130}" y="${top + bi * 16}" width="10" height="10" fill="${colors[bi % colors.length]}"/><text x="${width - 115}" y="${top + bi * 16 + 9}">${b}</text>`;
  });
  return `${s}<text x="0" y="${top + 10}">${max.toExponential(1)}</text></svg>`;
}

async function bench(backends: readonly AnyBackend[]): Promise<void> {
  const points: BenchPoint[] = [];
  for (const b of backends) {
    for (const k of ["SGD", "MomentumSGD", "Adam"]) {
      for (const n of [65536, 1048576]) {
        status(`bench: ${b.name} ${k} at ${n} elements…`);
        await pause();
        const p = await timeKernel(b, k, n);
        if (p) points.push(p);
      }
    }
  }
  $("bench").appendChild(
    table(
      ["backend", "kernel", "elements", "elements/s", "ms per call"],
      points.map((p) => [
        p.backend,
        p.kernel,
        String(p.elements),
        p.elementsPerSecond.toExponential(3),
        ((p.elements / p.elementsPerSecond) * 1000).toFixed(3),
      ]),
    ),
  );
  $("chart").innerHTML = chart(points);
}

async function main(): Promise<void> {
  status("loading golden data…");
  const golden = await loadGolden();
  const { ok, rows } = await offered();
  showEnv(ok);
  const reports = await conformance(ok, golden, rows);
  if (runBench) await bench(ok);
  else $("bench").appendChild(para("bench skipped (?bench=0)", "notes"));
  const conforming = reports.filter((r) => r.ok).length;
  status(
    `done: ${conforming} of ${reports.length} backends conform (${golden.files.size - (golden.files.has("index.json") ? 1 : 0)} golden files)`,
  );
  document.body.dataset["state"] = "done";
}

main().catch((e: unknown) => {
  status(`error: ${e instanceof Error ? e.message : String(e)}`);
  document.body.dataset["state"] = "error";
  console.error(e);
});
