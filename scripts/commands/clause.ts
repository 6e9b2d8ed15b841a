/**
 * `optspec clause <id>`: print a clause's text, where it is implemented, what in Chainer it models
 * and what checks it. Accepts `optspec:<id>` as cited in review, and retired ids (aliases).
 * Exit 0 when found, 2 when the id is unknown (with close matches).
 */
import { type Command, EXIT, UsageError } from "../cli/command.js";
import { clauseLink, describeClause, readClauseIndex } from "./clause-index.js";

export const clauseCommand: Command = {
  name: "clause",
  summary: "print one clause of the spec: text, implementation, Chainer source, what checks it",
  positionals: "<id>",
  options: {},
  details:
    "e.g. optspec clause adam.update.moments (or optspec:adam.update.moments, as cited in review); see spec/SPEC.md",
  async run(_v, args) {
    const [raw, ...extra] = args;
    if (raw === undefined)
      throw new UsageError("expected a clause id, e.g. adam.update.moments (all clauses: optspec clauses)");
    if (extra.length > 0) throw new UsageError(`expected one clause id, got ${args.length}`);
    const reg = readClauseIndex();
    const asked = raw.replace(/^optspec:/, "");
    const renamed = reg.aliases[asked];
    const id = renamed ?? asked;
    const c = reg.clauses.find((x) => x.id === id);
    if (c === undefined) {
      const near = reg.clauses.filter((x) => x.id.includes(asked) || asked.includes(x.id)).map((x) => x.id);
      throw new UsageError(
        `no clause ${asked}${near.length > 0 ? `; did you mean ${near.slice(0, 8).join(", ")}?` : ""} (all clauses: optspec clauses)`,
      );
    }
    if (renamed !== undefined) console.log(`${asked} was renamed to ${id} (${clauseLink(id)})\n`);
    console.log(describeClause(c, reg));
    return EXIT.ok;
  },
};
