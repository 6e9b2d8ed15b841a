/**
 * What a command of the `optspec` CLI is: a name, a one-line summary, its options (as
 * `node:util` `parseArgs` understands them, plus help text) and a `run` that returns the exit code.
 * A new command is one file in `scripts/commands/` plus one row in `scripts/commands/index.ts`.
 */

/** Exit codes of every command (documented in `optspec --help` and the README). */
export const EXIT = {
  /** Success: everything checked passed (or the command only printed something). */
  ok: 0,
  /** The command ran and found a failure: a non-conforming backend, a golden mismatch, a regression. */
  failed: 1,
  /** The command could not run: bad arguments, an unreadable file, an invalid or unknown backend. */
  usage: 2,
  /** optspec itself failed (a bug: the message and stack are printed; please report it). */
  internal: 3,
} as const;

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder for the value in help, e.g. `N` or `file.json`. */
  readonly value?: string;
  readonly help: string;
}

/** Parsed option values, keyed by option name. */
export type OptionValues = Readonly<Record<string, string | boolean | readonly (string | boolean)[] | undefined>>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments in the synopsis, e.g. `[dir]` or `base.json head.json…`; absent: none allowed. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra help text printed after the options. */
  readonly details?: string;
  /** `argv`: the command's own arguments, as given (for commands that pass them on). */
  run(values: OptionValues, positionals: readonly string[], argv: readonly string[]): Promise<number>;
}

/** A mistake in how the command was called: printed as one line plus a hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
