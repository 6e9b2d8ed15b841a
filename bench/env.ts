/** The environment a run is recorded with: runtime, machine, and the git commit measured. */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import type { BenchEnv } from "./result.js";

function git(args: readonly string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function version(pkg: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

export function captureEnv(tfjsWasm: BenchEnv["tfjsWasm"]): BenchEnv {
  const cpus = os.cpus();
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gitCommit: git(["rev-parse", "HEAD"]),
    gitDirty: status === null ? null : status !== "",
    date: new Date().toISOString(),
    benchmarkJs: version("benchmark") ?? "unknown",
    tfjs: version("@tensorflow/tfjs-core"),
    tfjsWasm,
  };
}
