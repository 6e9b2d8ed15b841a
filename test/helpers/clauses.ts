/**
 * `clauses(...ids)`: a test declares the spec clauses it checks. The spec document's "checked by"
 * column is read from these calls (string literals only, so the generator reads them without
 * running the suite); an id that is not a clause (nor the alias of one) fails the test file.
 * Returns the ids joined by ", " (one id: the id itself), for titles and tables.
 */
import { specClauseDefs } from "../../conformance/clauses.js";
import { readIdList, resolveId } from "../../scripts/spec-doc/lists.js";

export class UnknownClauseError extends Error {}

// Read once per test file, not once per citing title.
let known: { current: Set<string>; list: ReturnType<typeof readIdList> } | null = null;

export function clauses(...ids: string[]): string {
  known ??= { current: new Set(specClauseDefs().keys()), list: readIdList() };
  const { current, list } = known;
  for (const id of ids) {
    if (resolveId(id, current, list) === null) {
      throw new UnknownClauseError(
        `a test cites clause "${id}", which the spec does not have (see spec/SPEC.md or \`npx optspec clauses\`)`,
      );
    }
  }
  return ids.join(", ");
}
