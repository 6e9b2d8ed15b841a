/**
 * `optspec clauses [--unchecked]`: list every clause (id, where it is stated, what checks it), or
 * with `--unchecked` only the clauses nothing checks, each with the written reason.
 */
import { parseArgs } from "node:util";
import { isChecked, readClauseIndex } from "./clause-index.js";

export function clausesCommand(args: readonly string[]): number {
  let unchecked = false;
  try {
    const { values } = parseArgs({ args: [...args], options: { unchecked: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      console.log("usage: optspec clauses [--unchecked]   list the spec's clauses (--unchecked: only those nothing checks, with why)");
      return 0;
    }
    unchecked = values.unchecked === true;
  } catch (err) {
    console.error(`optspec clauses: ${(err as Error).message}`);
    return 2;
  }
  for (const c of readClauseIndex().clauses) {
    if (unchecked) {
      if (!isChecked(c)) console.log(`${c.id}\t${c.file}:${c.line}\t${c.unchecked ?? "NO REASON WRITTEN"}`);
      continue;
    }
    const { tests, golden, kit } = c.checks;
    const by = [tests.length > 0 ? `${tests.length} test file(s)` : "", golden.cases > 0 ? `${golden.cases} golden case(s)` : "", kit.length > 0 ? `${kit.length} kit check(s)` : ""].filter((s) => s !== "");
    console.log(`${c.id}\t${c.file}:${c.line}\t${by.length > 0 ? by.join(", ") : "unchecked"}`);
  }
  return 0;
}
