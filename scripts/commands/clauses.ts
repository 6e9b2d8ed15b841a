/**
 * `optspec clauses [--unchecked]`: list every clause (id, where it is stated, what checks it), or
 * with `--unchecked` only the clauses nothing checks, each with the written reason.
 */
import { flag } from "../cli/args.js";
import { type Command, EXIT } from "../cli/command.js";
import { isChecked, readClauseIndex } from "./clause-index.js";

export const clausesCommand: Command = {
  name: "clauses",
  summary: "list the spec's clauses and what checks each (--unchecked: only those nothing checks, with why)",
  options: {
    unchecked: {
      type: "boolean",
      help: "only the clauses that no test, golden case or kit check reaches, with the reason",
    },
  },
  async run(v) {
    const unchecked = flag(v, "unchecked");
    for (const c of readClauseIndex().clauses) {
      if (unchecked) {
        if (!isChecked(c)) console.log(`${c.id}\t${c.file}:${c.line}\t${c.unchecked ?? "NO REASON WRITTEN"}`);
        continue;
      }
      const { tests, golden, kit } = c.checks;
      const by = [
        tests.length > 0 ? `${tests.length} test file(s)` : "",
        golden.cases > 0 ? `${golden.cases} golden case(s)` : "",
        kit.length > 0 ? `${kit.length} kit check(s)` : "",
      ].filter((s) => s !== "");
      console.log(`${c.id}\t${c.file}:${c.line}\t${by.length > 0 ? by.join(", ") : "unchecked"}`);
    }
    return EXIT.ok;
  },
};
