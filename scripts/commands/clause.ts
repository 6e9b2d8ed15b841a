/**
 * `optspec clause <id>`: print a clause's text, where it is implemented, what in Chainer it models
 * and what checks it. Accepts `optspec:<id>` as cited in review, and retired ids (aliases).
 * Exit 0 when found, 2 when the id is unknown (with close matches).
 */
import { clauseLink, describeClause, readClauseIndex } from "./clause-index.js";

export function clauseCommand(args: readonly string[]): number {
  const [raw, ...extra] = args;
  if (raw === undefined || raw === "--help" || raw === "-h" || extra.length > 0) {
    console.log("usage: optspec clause <id>   (e.g. optspec clause adam.update.moments; see spec/SPEC.md)");
    return raw === "--help" || raw === "-h" ? 0 : 2;
  }
  const reg = readClauseIndex();
  const asked = raw.replace(/^optspec:/, "");
  const renamed = reg.aliases[asked];
  const id = renamed ?? asked;
  const c = reg.clauses.find((x) => x.id === id);
  if (c === undefined) {
    const near = reg.clauses.filter((x) => x.id.includes(asked) || asked.includes(x.id)).map((x) => x.id);
    console.error(`optspec: no clause ${asked}${near.length > 0 ? `; did you mean ${near.slice(0, 8).join(", ")}?` : ""} (all clauses: optspec clauses)`);
    return 2;
  }
  if (renamed !== undefined) console.log(`${asked} was renamed to ${id} (${clauseLink(id)})\n`);
  console.log(describeClause(c, reg));
  return 0;
}
