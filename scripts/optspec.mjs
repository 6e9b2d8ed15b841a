#!/usr/bin/env node
// The `optspec` command: runs scripts/cli.ts through tsx's ESM loader (never bare tsx).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
const tsxEsm = import.meta.resolve("tsx/esm");
const r = spawnSync(process.execPath, ["--import", tsxEsm, cli, ...process.argv.slice(2)], { stdio: "inherit", cwd: process.cwd() });
process.exit(r.status ?? 1);
