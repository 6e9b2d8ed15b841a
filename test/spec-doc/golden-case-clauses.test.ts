/** Each golden case lists the clauses its recorded values depend on, from what the case records. */
import { describe, expect, it } from "vitest";
import { goldenCaseClauses } from "../../conformance/golden/case-clauses.js";
import { specClauseDefs } from "../../conformance/clauses.js";
import { GOLDEN_DIR } from "../helpers/golden-dir.js";

const cases = new Map(goldenCaseClauses(GOLDEN_DIR).map((c) => [c.id, c]));
const of = (id: string) => {
  const c = cases.get(id);
  if (c === undefined) throw new Error(`no golden case ${id}`);
  return c.clauses;
};

describe("golden per-case clause lists", () => {
  it("cover every case of the directory with ids the spec has", () => {
    expect(cases.size).toBe(250);
    const defs = specClauseDefs();
    for (const c of cases.values()) for (const id of c.clauses) expect(defs.has(id), `${c.id}: ${id}`).toBe(true);
  });

  it("credit an optimizer's own clauses and options, and no other optimizer's", () => {
    expect(of("SGD/default/float32")).toEqual(
      expect.arrayContaining(["sgd.update", "sgd.defaults", "update.sequence"]),
    );
    expect(of("SGD/default/float32").some((id) => id.startsWith("adam."))).toBe(false);
    expect(of("SGD/default/float32")).not.toContain("rule.update.fp32-master");
    expect(of("SGD/default/float16_fp32update")).toEqual(
      expect.arrayContaining(["rule.update.fp32-master", "optimizer.fp32-update", "numerics.float16.round"]),
    );
    const amsgrad = of("Adam_amsgrad/default/float32");
    expect(amsgrad).toEqual(
      expect.arrayContaining(["adam.update.amsgrad", "numerics.nan.maximum", "adam.alpha-t", "adam.update.moments"]),
    );
    expect(amsgrad).not.toContain("adam.bounds");
    expect(of("Adam/default/float32")).not.toContain("adam.update.amsgrad");
  });

  it("credit the clause of each error the case records", () => {
    expect(of("errors/GradientClipping_as_rule_hook")).toEqual(
      expect.arrayContaining(["hooks.rule.per-param-only", "errors.chainer-compat"]),
    );
    expect(of("behaviour/hook_errors")).toEqual(
      expect.arrayContaining([
        "hooks.add.name",
        "hooks.add.callable",
        "hooks.add.timing",
        "hooks.add.unique-name",
        "hooks.remove.unknown",
      ]),
    );
    expect(of("behaviour/new_epoch")).toEqual(
      expect.arrayContaining(["optimizer.new-epoch", "optimizer.new-epoch.auto"]),
    );
    expect(of("behaviour/new_epoch")).not.toContain("hooks.add.order");
  });
});
