/** The one argument parser of every command (`node:util` `parseArgs`), and typed accessors. */
import { parseArgs } from "node:util";
import { type Command, type OptionValues, UsageError } from "./command.js";

export type Parsed =
  | { readonly help: true }
  | { readonly help: false; readonly values: OptionValues; readonly positionals: readonly string[] };

export function parseCommandArgs(cmd: Command, argv: readonly string[]): Parsed {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [k, o] of Object.entries(cmd.options))
    options[k] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs messages name the option; drop its advice about "--" which does not apply here.
    const msg =
      e instanceof Error ? e.message.split("\n")[0]!.replace(/;? ?To specify a positional argument.*$/, "") : String(e);
    throw new UsageError(msg);
  }
  if (r.values["help"] === true) return { help: true };
  if (cmd.positionals === undefined && r.positionals.length > 0)
    throw new UsageError(`unexpected argument ${JSON.stringify(r.positionals[0])}`);
  return { help: false, values: r.values as OptionValues, positionals: r.positionals };
}

export function str(v: OptionValues, k: string): string | undefined {
  const x = v[k];
  return typeof x === "string" ? x : undefined;
}

export function strs(v: OptionValues, k: string): string[] {
  const x = v[k];
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : typeof x === "string" ? [x] : [];
}

export function flag(v: OptionValues, k: string): boolean {
  return v[k] === true;
}

/** A non-negative integer option, or undefined when absent. */
export function int(v: OptionValues, k: string): number | undefined {
  const x = str(v, k);
  if (x === undefined) return undefined;
  const n = Number(x);
  if (x.trim() === "" || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${k} must be a non-negative integer, got ${JSON.stringify(x)}`);
  return n;
}
