#!/usr/bin/env node
/**
 * The `optspec` command line: `optspec <command> [options]`, `optspec --help`, `optspec <command> --help`.
 * Commands live in scripts/commands/ (one file each, one row in scripts/commands/index.ts).
 */
import { runCli } from "./cli/main.js";

// `optspec … | head`: a closed pipe ends the output quietly instead of with an EPIPE stack.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await runCli(process.argv.slice(2));
