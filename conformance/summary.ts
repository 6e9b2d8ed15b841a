/**
 * How a conformance report reads to a person: counts in one unit (checks), golden counted as the
 * cases it replayed, what "n/a" means and why, and how to list the clauses no check covered.
 * Shared by the CLI (`optspec conformance`, `npm start`) and the browser page.
 */
import type { CheckResult, ConformanceReport } from "./report.js";

export interface GroupSummary {
  readonly group: string;
  /** Checks that ran (not n/a). */
  readonly ran: number;
  readonly passed: number;
  /** Failed or passed while an expectation said it fails. */
  readonly failed: number;
  readonly expected: number;
  /** Checks that do not apply to this backend, by reason. */
  readonly notApplicable: number;
  readonly naReasons: readonly string[];
  /** fast-check runs, or replayed golden cases for the golden group. */
  readonly runs: number;
  readonly maxUlp: number;
  readonly ms: number;
}

const isFailed = (c: CheckResult): boolean => c.status === "failed" || c.status === "unexpected-pass";

export function groupSummaries(r: ConformanceReport): GroupSummary[] {
  const groups = new Map<string, CheckResult[]>();
  for (const c of r.checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return [...groups].map(([group, cs]) => {
    const ran = cs.filter((c) => c.status !== "not-applicable");
    return {
      group,
      ran: ran.length,
      passed: ran.filter((c) => c.status === "passed").length,
      failed: ran.filter(isFailed).length,
      expected: ran.filter((c) => c.status === "expected-failure").length,
      notApplicable: cs.length - ran.length,
      naReasons: [...new Set(cs.filter((c) => c.status === "not-applicable").map((c) => c.reason ?? "does not apply"))],
      runs: ran.reduce((a, c) => a + c.runs, 0),
      maxUlp: Math.max(0, ...cs.map((c) => c.maxUlp)),
      ms: cs.reduce((a, c) => a + c.ms, 0),
    };
  });
}

/** The "result" cell of a group: outcome of the checks that ran, with their unit. */
export function groupResult(g: GroupSummary): string {
  const unit = g.group === "golden" ? `${g.runs} cases replayed` : `${g.runs} property runs`;
  if (g.ran === 0) return "n/a";
  const head = g.failed > 0 ? `FAILED ${g.failed} of ${g.ran} checks` : `passed ${g.passed} of ${g.ran} checks`;
  return `${head}${g.expected ? `, ${g.expected} expected failures` : ""} (${unit})`;
}

/** The "checks" cell: how many ran, and how many did not apply. */
export function groupChecks(g: GroupSummary): string {
  return `${g.ran}${g.notApplicable ? ` + ${g.notApplicable} n/a` : ""}`;
}

export interface ReportTotals {
  readonly checks: number;
  readonly passed: number;
  readonly failed: number;
  readonly expected: number;
  readonly notApplicable: number;
  readonly goldenCases: number;
  readonly clausesChecked: number;
  readonly clausesUnchecked: number;
}

export function totals(r: ConformanceReport): ReportTotals {
  const gs = groupSummaries(r);
  const sum = (f: (g: GroupSummary) => number): number => gs.reduce((a, g) => a + f(g), 0);
  return {
    checks: sum((g) => g.ran),
    passed: sum((g) => g.passed),
    failed: sum((g) => g.failed) + r.stale.length,
    expected: sum((g) => g.expected),
    notApplicable: sum((g) => g.notApplicable),
    goldenCases: gs.filter((g) => g.group === "golden").reduce((a, g) => a + g.runs, 0),
    clausesChecked: Object.keys(r.clauses).length,
    clausesUnchecked: r.unchecked.length,
  };
}

/** Lines that explain the report's terms, printed once under the table. */
export const LEGEND: readonly string[] = [
  "checks: one property (a kernel and dtype, or a trajectory) or one golden directory; counts are checks throughout.",
  "n/a: the check does not apply to this backend (a dtype it does not compute or a kernel it does not supply); those",
  "     parts run through the spec itself, so they are neither passed nor failed. The reasons are listed per backend.",
  "golden: one check per golden directory; the count in brackets is the real-Chainer cases it replayed.",
];

/** The closing lines for one backend: totals in checks, then clauses, with how to list the unchecked ones. */
export function closingLines(r: ConformanceReport, listHint: string): string[] {
  const t = totals(r);
  const lines = [
    `${r.backend}: ${r.ok ? "conforms" : "DOES NOT CONFORM"}: ${t.passed} checks passed, ${t.failed} failed, ${t.expected} expected failures, ${t.notApplicable} n/a` +
      `${t.goldenCases ? ` (golden: ${t.goldenCases} cases)` : ""}; seed ${r.seed}, ${r.numRuns} runs per property`,
    `${r.backend}: spec clauses: ${t.clausesChecked} checked by this run, ${t.clausesUnchecked} not checked${t.clausesUnchecked ? ` (${listHint})` : ""}`,
  ];
  const na = naExplained(groupSummaries(r).flatMap((g) => g.naReasons));
  if (na.length) lines.push(`${r.backend}: n/a because ${na.join("; ")}`);
  return lines;
}

/** The n/a reasons, merged: "no Adam kernel", "no SGD kernel" → "no kernel for Adam, SGD"; dtypes likewise. */
export function naExplained(reasons: readonly string[]): string[] {
  const kernels: string[] = [];
  const dtypes: string[] = [];
  const other: string[] = [];
  for (const why of new Set(reasons)) {
    const k = /^no (\S+) kernel$/.exec(why);
    const d = /^backend does not compute (\S+)$/.exec(why);
    if (k) kernels.push(k[1] as string);
    else if (d) dtypes.push(d[1] as string);
    else other.push(why);
  }
  return [
    ...(dtypes.length ? [`the backend does not compute ${dtypes.sort().join(", ")} (those run through the spec)`] : []),
    ...(kernels.length ? [`it supplies no kernel for ${kernels.join(", ")}`] : []),
    ...other,
  ];
}
