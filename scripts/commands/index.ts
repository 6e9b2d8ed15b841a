/** The commands of `optspec`: one row per command (its file holds everything about it). */
import type { Command } from "../cli/command.js";
import { benchCommand } from "./bench.js";
import { benchChartCommand } from "./bench-chart.js";
import { benchCompareCommand } from "./bench-compare.js";
import { clauseCommand } from "./clause.js";
import { clausesCommand } from "./clauses.js";
import { conformanceCommand } from "./conformance.js";
import { goldenCommand } from "./golden.js";
import { reportCommand } from "./report.js";

export const COMMANDS: readonly Command[] = [
  conformanceCommand,
  reportCommand,
  goldenCommand,
  clauseCommand,
  clausesCommand,
  benchCommand,
  benchCompareCommand,
  benchChartCommand,
];
