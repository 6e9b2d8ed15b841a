/**
 * `npm run spec:doc -- [--check] [--accept-new] [--golden DIR]` (default: the bundled golden/): generate `spec/SPEC.md` and
 * `spec/clauses/index.json` from the spec's `@clause` tags, the clause lists and what checks each
 * clause. `--check` writes nothing and exits 1 when the committed files differ from a fresh
 * generation; `--accept-new` adds new clause ids to `spec/clauses/ids.json` (ids are never removed).
 * Problems with the lists or citations are printed and exit 1.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { specClauseDefs } from "../conformance/clauses.js";
import { bundledGoldenDir } from "../conformance/golden/bundled-dir.js";
import { generate, INDEX_JSON, SPEC_MD } from "./spec-doc/generate.js";
import { IDS_FILE, readIdList, REPO } from "./spec-doc/lists.js";

const { values } = parseArgs({
  options: { check: { type: "boolean" }, "accept-new": { type: "boolean" }, golden: { type: "string" } },
});
const goldenDir = resolve(values.golden ?? bundledGoldenDir());

if (values["accept-new"]) {
  const list = readIdList();
  const added = [...specClauseDefs().keys()].filter((id) => !list.ids.includes(id));
  writeFileSync(
    join(REPO, IDS_FILE),
    `${JSON.stringify({ ids: [...list.ids, ...added].sort(), aliases: list.aliases }, null, 2)}\n`,
  );
  console.log(`${IDS_FILE}: ${added.length} new id(s)${added.length > 0 ? `: ${added.join(", ")}` : ""}`);
}

const g = generate(goldenDir);
let stale = 0;
for (const [file, text] of [
  [SPEC_MD, g.markdown],
  [INDEX_JSON, g.json],
] as const) {
  let old = "";
  try {
    old = readFileSync(join(REPO, file), "utf8");
  } catch {
    // not generated yet
  }
  if (old === text) continue;
  if (values.check) {
    stale++;
    console.log(`${file} is out of date: run \`npm run spec:doc\` and commit it`);
  } else {
    writeFileSync(join(REPO, file), text);
    console.log(`wrote ${file}`);
  }
}
for (const p of g.problems) console.log(`✗ ${p}`);
const n = g.registry.clauses.length;
const unchecked = g.registry.clauses.filter(
  (c) => c.checks.tests.length + c.checks.golden.cases + c.checks.kit.length === 0,
).length;
console.log(
  `spec:doc: ${n} clauses, ${n - unchecked} checked, ${unchecked} unchecked, ${g.problems.length} problem(s)`,
);
process.exitCode = stale > 0 || g.problems.length > 0 ? 1 : 0;
