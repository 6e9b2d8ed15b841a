/**
 * The clause registry: every clause with its text, where it is implemented, what it models in
 * Chainer and what checks it, grouped as the spec is. Written to `spec/clauses/index.json` (read by
 * `optspec clause`) and rendered as `spec/SPEC.md`.
 */
import { type ClauseDef, type SourceLine, headerOf, specClauseDefs, specSources } from "../../conformance/clauses.js";
import { type ClauseChecks, type Coverage, NO_CHECKS, isChecked } from "./coverage.js";
import { type SourceFact, type SourceTable, sourceOf } from "./chainer-sources.js";
import type { IdList } from "./lists.js";

export interface RegistryClause {
  readonly id: string;
  readonly text: string;
  readonly file: string;
  readonly line: number;
  readonly notes: ClauseDef["notes"];
  readonly refs: readonly SourceLine[];
  /** The section's anchor. */
  readonly section: string;
  readonly source: SourceFact | null;
  readonly checks: ClauseChecks;
  /** Why no check reaches it (only for unchecked clauses listed in spec/clauses/unchecked.json). */
  readonly unchecked?: string;
}

export interface RegistrySection {
  readonly anchor: string;
  readonly group: string;
  readonly title: string;
  readonly file: string;
  readonly intro: string;
  readonly ids: readonly string[];
}

export interface Registry {
  readonly format: "optspec-clauses";
  readonly version: 1;
  readonly chainer: SourceTable["chainer"];
  readonly sections: readonly RegistrySection[];
  readonly clauses: readonly RegistryClause[];
  readonly aliases: Readonly<Record<string, string>>;
  /** The golden files the coverage was read from, and their case count. */
  readonly golden: { readonly files: readonly string[]; readonly cases: number };
}

/** The spec's groups, in the document's order, by the directory (or file) that holds them. */
const GROUPS: readonly (readonly [string, (file: string) => boolean])[] = [
  ["Numerics", (f) => f.startsWith("spec/numerics/")],
  ["Data model", (f) => /^spec\/[^/]+\.ts$/.test(f)],
  ["State machine", (f) => f.startsWith("spec/optimizer/")],
  ["Optimizers", (f) => f.startsWith("spec/optimizers/")],
  ["Hooks", (f) => f.startsWith("spec/hooks/")],
  ["Serialization", (f) => f.startsWith("spec/serialization/")],
  ["Other", () => true],
];

/** Section order and titles where the file name alone would not do; other files follow by name. */
const FILES: readonly (readonly [string, string])[] = [
  ["spec/numerics/dtype.ts", "Dtypes"],
  ["spec/numerics/np.ts", "numpy 1.x arithmetic"],
  ["spec/numerics/float16.ts", "float16"],
  ["spec/numerics/pow.ts", "Correctly rounded pow"],
  ["spec/numerics/log.ts", "Correctly rounded log"],
  ["spec/numerics/mt19937.ts", "numpy's legacy random numbers"],
  ["spec/numerics/py-repr.ts", "Python repr"],
  ["spec/ndarray.ts", "Arrays"],
  ["spec/link.ts", "Links and parameters"],
  ["spec/hyperparam.ts", "Hyperparameters"],
  ["spec/state.ts", "Optimizer state"],
  ["spec/errors.ts", "Errors"],
  ["spec/compute.ts", "Compute overrides"],
  ["spec/optimizer/create.ts", "Construction and setup"],
  ["spec/optimizer/settings.ts", "Counters, flags and hyperparameters"],
  ["spec/optimizer/hooks.ts", "Hooks: adding, removing, calling"],
  ["spec/optimizer/update.ts", "update()"],
  ["spec/optimizer/rule-update.ts", "One update rule"],
  ["spec/optimizer/loss-scale.ts", "Loss scaling"],
  ["spec/optimizers/registry.ts", "Common to all optimizers"],
  ["spec/optimizers/types.ts", "Update rules"],
  ["spec/optimizers/sgd.ts", "SGD"],
  ["spec/optimizers/momentum-sgd.ts", "MomentumSGD"],
  ["spec/optimizers/corrected-momentum-sgd.ts", "CorrectedMomentumSGD"],
  ["spec/optimizers/nesterov-ag.ts", "NesterovAG"],
  ["spec/optimizers/ada-grad.ts", "AdaGrad"],
  ["spec/optimizers/ada-delta.ts", "AdaDelta"],
  ["spec/optimizers/adam.ts", "Adam (and its AdamW, AMSGrad, AdaBound options)"],
  ["spec/optimizers/adamw.ts", "AdamW"],
  ["spec/optimizers/amsgrad.ts", "AMSGrad"],
  ["spec/optimizers/adabound.ts", "AdaBound"],
  ["spec/optimizers/amsbound.ts", "AMSBound"],
  ["spec/optimizers/rmsprop.ts", "RMSprop"],
  ["spec/optimizers/rmsprop-graves.ts", "RMSpropGraves"],
  ["spec/optimizers/smorms3.ts", "SMORMS3"],
  ["spec/optimizers/msvag.ts", "MSVAG"],
  ["spec/hooks/weight-decay.ts", "WeightDecay"],
  ["spec/hooks/lasso.ts", "Lasso"],
  ["spec/hooks/gradient-clipping.ts", "GradientClipping"],
  ["spec/hooks/gradient-hard-clipping.ts", "GradientHardClipping"],
  ["spec/hooks/gradient-noise.ts", "GradientNoise"],
  ["spec/hooks/gradient-lars.ts", "GradientLARS"],
];

function fileRank(file: string): number {
  const i = FILES.findIndex(([f]) => f === file);
  return i < 0 ? FILES.length : i;
}

/** A section anchor from a file path: `spec/optimizers/adam.ts` → `section-optimizers-adam`. */
export function sectionAnchor(file: string): string {
  return `section-${file
    .replace(/^spec\//, "")
    .replace(/\.ts$/, "")
    .replace(/[^A-Za-z0-9]+/g, "-")}`;
}

export function buildRegistry(
  coverage: Coverage,
  sources: SourceTable,
  list: IdList,
  unchecked: Readonly<Record<string, string>>,
  defs: ReadonlyMap<string, ClauseDef> = specClauseDefs(),
): Registry {
  const headers = new Map(specSources().map((s) => [s.file, headerOf(s)]));
  const byFile = new Map<string, ClauseDef[]>();
  for (const d of defs.values()) byFile.set(d.at.file, [...(byFile.get(d.at.file) ?? []), d]);
  const files = [...byFile.keys()].sort((a, b) => fileRank(a) - fileRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const sections: RegistrySection[] = [];
  for (const [group, test] of GROUPS) {
    for (const file of files.filter((f) => test(f) && !sections.some((s) => s.file === f))) {
      const ids = (byFile.get(file) ?? [])
        .sort((a, b) => a.at.line - b.at.line || (a.id < b.id ? -1 : 1))
        .map((d) => d.id);
      const title = FILES.find(([f]) => f === file)?.[1] ?? file.replace(/^.*\//, "").replace(/\.ts$/, "");
      sections.push({ anchor: sectionAnchor(file), group, title, file, intro: headers.get(file) ?? "", ids });
    }
  }
  const clauses: RegistryClause[] = [];
  for (const s of sections) {
    for (const id of s.ids) {
      const d = defs.get(id) as ClauseDef;
      const checks = coverage.byClause.get(id) ?? NO_CHECKS;
      const reason = isChecked(checks) ? undefined : unchecked[id];
      clauses.push({
        id,
        text: d.text,
        file: d.at.file,
        line: d.at.line,
        notes: d.notes,
        refs: d.refs,
        section: s.anchor,
        source: sourceOf(id, sources)?.fact ?? null,
        checks,
        ...(reason !== undefined ? { unchecked: reason } : {}),
      });
    }
  }
  return {
    format: "optspec-clauses",
    version: 1,
    chainer: sources.chainer,
    sections,
    clauses,
    aliases: list.aliases,
    golden: coverage.golden,
  };
}
