/**
 * The citable spec: `spec/SPEC.md` and `spec/clauses/index.json` are what a fresh generation
 * writes; every clause is stated, listed, sourced and checked (or has a written reason); every
 * cited id exists; the document's anchors and links resolve.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GOLDEN_DIR, REPO_ROOT } from "../helpers/golden-dir.js";
// Imported under another name: these calls test the helper and check no clause.
import { clauses as cite, UnknownClauseError } from "../helpers/clauses.js";
import { generate, INDEX_JSON, SPEC_MD } from "../../scripts/spec-doc/generate.js";
import { parseClauses, specClauseDefs, specSources } from "../../conformance/clauses.js";
import { idListProblems, resolveId, uncheckedProblems } from "../../scripts/spec-doc/lists.js";
import { renderSpec } from "../../scripts/spec-doc/render.js";
import { citationsIn, TestMetadataError } from "../../scripts/spec-doc/test-metadata.js";
import { readSources, sourceOf } from "../../scripts/spec-doc/chainer-sources.js";

const g = generate(GOLDEN_DIR);

describe("the generated spec document", () => {
  it(`${SPEC_MD} and ${INDEX_JSON} match a fresh generation (else: npm run spec:doc)`, () => {
    expect(
      readFileSync(join(REPO_ROOT, SPEC_MD), "utf8") === g.markdown,
      `${SPEC_MD} is out of date: run \`npm run spec:doc\` and commit it`,
    ).toBe(true);
    expect(
      readFileSync(join(REPO_ROOT, INDEX_JSON), "utf8") === g.json,
      `${INDEX_JSON} is out of date: run \`npm run spec:doc\` and commit it`,
    ).toBe(true);
  });

  it("has no problems: ids listed, none lost, every clause sourced and checked or excused, every citation real", () => {
    expect(g.problems).toEqual([]);
  });

  it("has one explicit anchor per clause, and every in-document link lands on an anchor", () => {
    const anchors = [...g.markdown.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1] as string);
    expect(new Set(anchors).size).toBe(anchors.length);
    for (const c of g.registry.clauses) expect(anchors).toContain(c.id);
    const links = [...g.markdown.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(40);
    for (const l of links) expect(anchors, `link #${l}`).toContain(l);
  });

  it("reads an optimizer in Chainer's operation order (Adam: eps check, moments, amsgrad, alpha_t, step, bounds, parameter)", () => {
    const adam = g.registry.sections.find((s) => s.file === "spec/optimizers/adam.ts");
    const order = [
      "adam.update.eps-check",
      "adam.update.moments",
      "adam.update.amsgrad",
      "adam.alpha-t",
      "adam.update.step",
      "adam.bounds",
      "adam.update.param",
    ];
    const pos = order.map((id) => adam?.ids.indexOf(id) ?? -1);
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });

  it("gives golden counts per file: Adam's moments are exercised by each recorded Adam-family case", () => {
    const c = g.registry.clauses.find((x) => x.id === "adam.update.moments");
    const files = new Map(c?.checks.golden.files.map((f) => [f.file, f.cases]));
    for (const f of ["Adam", "AdamW", "AMSGrad", "AdaBound", "AMSBound", "Adam_amsgrad"])
      expect(files.get(`optimizers/${f}.json`)).toBe(9);
    expect(files.has("optimizers/SGD.json")).toBe(false);
  });

  it("sources Chainer facts at the v7.8.1 tag, each with a file, a function and a line", () => {
    const t = readSources();
    expect(t.chainer.tag).toBe("v7.8.1");
    for (const [key, fact] of Object.entries(t.sources)) {
      if ("line" in fact) {
        expect(fact.file, key).toMatch(/^chainer\/.+\.py$/);
        expect(fact.line, key).toBeGreaterThan(0);
        expect(fact.function, key).not.toBe("");
      }
    }
    expect(sourceOf("adam.update.moments", t)?.fact).toMatchObject({
      file: "chainer/optimizers/adam.py",
      function: "AdamRule.update_core_cpu",
    });
    expect(sourceOf("adam.update.eps-check", t)?.fact).toMatchObject({ function: "AdamRule._check_eps" });
  });
});

describe("clause extraction", () => {
  const text = [
    "/**",
    " * Header words.",
    " *",
    " * @clause a.one First rule",
    " * continues here.",
    " * @clause a.two",
    " *   `x = y`;",
    " *   `z = w`, in order.",
    " */",
    "/** @clause a.one */",
    "/** @clause a.one A note. */",
  ].join("\n");
  const defs = parseClauses([{ file: "spec/x.ts", text }]);

  it("takes the first tag with text as the definition, later texts as notes, bare tags as references", () => {
    expect(defs.get("a.one")).toEqual({
      id: "a.one",
      text: "First rule continues here.",
      at: { file: "spec/x.ts", line: 4 },
      notes: [{ file: "spec/x.ts", line: 11, text: "A note." }],
      refs: [
        { file: "spec/x.ts", line: 4 },
        { file: "spec/x.ts", line: 10 },
        { file: "spec/x.ts", line: 11 },
      ],
    });
  });

  it("reads every @clause tag of spec/ (none hides outside a doc comment)", () => {
    const tags = specSources().reduce(
      (n, src) => n + [...src.text.matchAll(/@clause\s+[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+/g)].length,
      0,
    );
    const refs = [...specClauseDefs().values()].reduce((n, d) => n + d.refs.length, 0);
    expect(refs).toBe(tags);
  });

  it("keeps a formula set on its own line on its own line", () => {
    expect(defs.get("a.two")?.text).toBe("`x = y`;\n`z = w`, in order.");
  });
});

describe("the clause lists", () => {
  const current = new Set(["a.one", "a.two"]);

  it("asks for a new clause to be listed, and for a lost one to be restored or aliased", () => {
    expect(idListProblems(current, { ids: ["a.one"], aliases: {} })[0]).toMatch(
      /new clause a\.two: add "a\.two" to "ids" in spec\/clauses\/ids\.json/,
    );
    expect(idListProblems(new Set(["a.one"]), { ids: ["a.one", "a.two"], aliases: {} })[0]).toMatch(
      /clause a\.two disappeared: .*"a\.two": "<new id>"/,
    );
    expect(
      idListProblems(new Set(["a.one", "a.three"]), {
        ids: ["a.one", "a.three", "a.two"],
        aliases: { "a.two": "a.three" },
      }),
    ).toEqual([]);
  });

  it("resolves a retired id to the clause it was renamed to, and the document keeps an anchor for it", () => {
    const list = { ids: ["a.one", "a.old"], aliases: { "a.old": "a.one" } };
    expect(resolveId("a.old", new Set(["a.one"]), list)).toBe("a.one");
    expect(resolveId("a.gone", new Set(["a.one"]), list)).toBeNull();
    const md = renderSpec({ ...g.registry, aliases: { "retired.moments": "adam.update.moments" } });
    expect(md).toContain(
      '<a id="retired.moments"></a>`retired.moments` → [`adam.update.moments`](#adam.update.moments)',
    );
  });

  it("lets the unchecked list only shrink and wants a reason for each entry", () => {
    expect(uncheckedProblems(current, new Set(["a.two"]), {})[0]).toMatch(
      /clause a\.two is checked by nothing: cite it .*clauses\("a\.two"\)/,
    );
    expect(uncheckedProblems(current, new Set(), { "a.two": "no public entry point reaches this rule" })[0]).toMatch(
      /a\.two is checked now: remove it/,
    );
    expect(uncheckedProblems(current, new Set(["a.two"]), { "a.two": "todo" })[0]).toMatch(/needs a written reason/);
  });
});

describe("test metadata", () => {
  it("clauses(...) resolves real ids and returns them for titles", () => {
    expect(cite("adam.update.moments", "sgd.update")).toBe("adam.update.moments, sgd.update");
  });

  it("clauses(...) fails on an id the spec does not have", () => {
    expect(() => cite(["hooks", "add", "nonexistent"].join("."))).toThrow(UnknownClauseError);
  });

  it("reads declarations as data and refuses arguments that are not literals", () => {
    const call = "clause" + "s("; // split so that the generator does not read these as declarations
    const head = 'import { clauses } from "../helpers/clauses.js";\n';
    expect(citationsIn("t.test.ts", `${head}it(${call}"a.b", 'c.d'), () => {});`)).toEqual([
      { file: "t.test.ts", line: 2, ids: ["a.b", "c.d"] },
    ]);
    expect(() => citationsIn("t.test.ts", `${head}${call}law.clause);`)).toThrow(TestMetadataError);
    expect(citationsIn("t.test.ts", `${call}x)`)).toEqual([]);
  });
});
