/**
 * `npm run fuzz -- [--inputs N] [--seed S] [--hang-ms MS] [--json out.json] [--bomb]`
 *
 * Fuzzes the three loaders (Chainer npz, lossless npz, lossless JSON) with N seeded mutations
 * (default 10,000) and prints the counts of loaded, refused, crashed, hung and partially loaded
 * inputs, the slowest input's CPU time and the process's peak memory (max RSS); exits 1 when any
 * input crashed, hung or loaded partially. `--bomb` instead measures the zip bombs: each variant
 * in a fresh process, its time to refuse and that process's peak memory.
 */
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runFuzz } from "../conformance/fuzz/run.js";
import { zipBomb } from "../conformance/fuzz/zip-bomb.js";
import { readNpz } from "../spec/serialization/npz.js";

const { values } = parseArgs({
  options: {
    inputs: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    "hang-ms": { type: "string", default: "2000" },
    json: { type: "string" },
    bomb: { type: "boolean", default: false },
    "bomb-variant": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

const GIB = 2 ** 30;
const BOMBS: Record<string, { inflated: number; declared?: number; members?: number } | null> = {
  baseline: null,
  "1 GiB, declared": { inflated: GIB },
  "1 GiB, declared 1,000 bytes": { inflated: GIB, declared: 1000 },
  "3 members of 256 MiB, declared": { inflated: GIB / 4, members: 3 },
  "1 GiB, declared 200 MiB": { inflated: GIB, declared: 200 * 2 ** 20 },
};

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${text}`);
    process.exit(2);
  }
  return n;
}

/** One bomb variant in this process: build it, load it, print one JSON line. */
function bombVariant(name: string): void {
  const spec = BOMBS[name];
  if (spec === undefined) throw new Error(`unknown variant ${name}`);
  const bytes = spec === null ? new Uint8Array(0) : zipBomb(spec);
  const before = process.resourceUsage().maxRSS;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let outcome = "not loaded";
  if (spec !== null) {
    try {
      readNpz(bytes);
      outcome = "LOADED";
    } catch (e) {
      outcome = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({
      variant: name,
      fileBytes: bytes.length,
      refuseMs: Math.round(ms * 10) / 10,
      refuseCpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
      rssBeforeMiB: Math.round(before / 1024),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      outcome,
    }),
  );
}

if (values.help) {
  console.log("usage: npm run fuzz -- [--inputs N] [--seed S] [--hang-ms MS] [--json out.json] [--bomb]");
} else if (values["bomb-variant"] !== undefined) {
  bombVariant(values["bomb-variant"]);
} else if (values.bomb) {
  const self = fileURLToPath(import.meta.url);
  for (const name of Object.keys(BOMBS)) {
    const out = execFileSync(process.execPath, ["--import", "tsx/esm", self, "--bomb-variant", name], {
      encoding: "utf8",
    });
    process.stdout.write(out);
  }
} else {
  const inputs = positiveInt("inputs", values.inputs);
  const seed = positiveInt("seed", values.seed);
  const hangMs = positiveInt("hang-ms", values["hang-ms"]);
  const report = runFuzz({
    inputs,
    seed,
    hangMs,
    onProgress: (done, r) => {
      if (done % 10_000 === 0)
        console.error(
          `${done} inputs: ${r.loaded} loaded, ${r.refused} refused, ${r.crashed} crashed, ${r.hung} hung, ${r.partial} partial (${r.seconds} s)`,
        );
    },
  });
  for (const f of report.findings) console.log(`${f.outcome.toUpperCase()} ${f.target} (from ${f.seed}): ${f.detail}`);
  for (const [t, c] of Object.entries(report.byTarget))
    console.log(`  ${t}: ${c.inputs} inputs, ${c.loaded} loaded, ${c.refused} refused`);
  console.log(
    `fuzz: ${report.inputs} inputs (seed ${report.seed}): ${report.loaded} loaded, ${report.refused} refused, ${report.crashed} crashed, ` +
      `${report.hung} hung, ${report.partial} partial; slowest input ${report.slowestMs} ms CPU; peak memory ${report.peakRssMiB} MiB (max RSS); ${report.seconds} s`,
  );
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.crashed + report.hung + report.partial > 0 ? 1 : 0;
}
