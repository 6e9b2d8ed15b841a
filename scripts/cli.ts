#!/usr/bin/env node
/**
 * The `optspec` command line: `optspec <command> [options]`, `optspec --help`, `optspec <command> --help`.
 * Commands live in scripts/commands/ (one file each, one row in scripts/commands/index.ts).
 */
import { runCli } from "./cli/main.js";

process.exitCode = await runCli(process.argv.slice(2));
