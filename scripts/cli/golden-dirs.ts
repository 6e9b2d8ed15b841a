/** `--golden DIR` (repeatable, adds), `--no-bundled-golden` (replace), `--no-golden` (skip): the list to replay. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { bundledGoldenDir } from "../../conformance/golden/bundled-dir.js";
import { type OptionSpec, type OptionValues, UsageError } from "./command.js";
import { flag, strs } from "./args.js";

export const GOLDEN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  golden: {
    type: "string",
    multiple: true,
    value: "DIR",
    help: "also replay this directory of golden files (same format as the bundled golden/)",
  },
  "no-bundled-golden": {
    type: "boolean",
    help: "do not replay the real-Chainer golden data bundled with optspec (use with --golden to replace it)",
  },
  "no-golden": { type: "boolean", help: "skip golden replay altogether" },
};

export function goldenDirs(v: OptionValues): string[] {
  if (flag(v, "no-golden")) return [];
  const extra = strs(v, "golden").map((d) => resolve(d));
  for (const d of extra) if (!existsSync(d)) throw new UsageError(`--golden: no directory at ${d}`);
  return [...(flag(v, "no-bundled-golden") ? [] : [bundledGoldenDir()]), ...extra];
}
