/** Help text for one command and for the whole CLI. */
import { type Command, EXIT } from "./command.js";

export function commandHelp(cmd: Command, prog = "optspec"): string {
  const lines = [
    `usage: ${prog} ${cmd.name}${Object.keys(cmd.options).length ? " [options]" : ""}${cmd.positionals ? ` ${cmd.positionals}` : ""}`,
    "",
    cmd.summary,
    "",
  ];
  const rows: [string, string][] = Object.entries(cmd.options).map(([k, o]) => [
    `${o.short ? `-${o.short}, ` : ""}--${k}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`,
    `${o.help}${o.multiple ? " (repeatable)" : ""}`,
  ]);
  rows.push(["-h, --help", "print this help"]);
  const w = Math.max(...rows.map((r) => r[0].length));
  lines.push("options:", ...rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`));
  if (cmd.details) lines.push("", cmd.details);
  lines.push("", exitCodes());
  return lines.join("\n");
}

export function exitCodes(): string {
  return `exit codes: ${EXIT.ok} success; ${EXIT.failed} a check failed (non-conforming backend, golden mismatch, regression); ${EXIT.usage} could not run (bad arguments, unreadable file, invalid or unknown backend); ${EXIT.internal} internal error (a bug in optspec)`;
}

export function topHelp(commands: readonly Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: optspec <command> [options]      optspec <command> --help",
    "",
    "The executable specification of Chainer's Optimizer, its backends and conformance kit.",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    exitCodes(),
  ].join("\n");
}
