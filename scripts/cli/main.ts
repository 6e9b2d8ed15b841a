/** Runs one `optspec` command line and returns its exit code (the CLI entry and the tests call this). */
import "../../backends/index.js";
import { parseCommandArgs } from "./args.js";
import { EXIT, UsageError } from "./command.js";
import { commandHelp, topHelp } from "./help.js";
import { COMMANDS } from "../commands/index.js";

export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const target = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    console.log(target ? commandHelp(target) : topHelp(COMMANDS));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    console.error(
      `optspec: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(", ")} (optspec --help)`,
    );
    return EXIT.usage;
  }
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed.help) {
      console.log(commandHelp(cmd));
      return EXIT.ok;
    }
    return await cmd.run(parsed.values, parsed.positionals, rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`optspec ${cmd.name}: ${e.message}\n(optspec ${cmd.name} --help for usage)`);
      return EXIT.usage;
    }
    console.error(
      `optspec ${cmd.name}: internal error (a bug in optspec; please report it with this output):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
    return EXIT.internal;
  }
}
