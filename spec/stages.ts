/**
 * Stage marks: `stage(clause, value)` names the clause an intermediate result of a formula
 * answers to and returns the value unchanged. Behaviour-free for the spec; a diagnosis tool may
 * install a probe (`withStageProbe`) that observes or replaces a stage's value, to find which
 * stage a wrong backend's outputs are consistent with.
 */

export type StageProbe = (clause: string, value: unknown) => unknown;

let probe: StageProbe | null = null;

export function stage<T>(clause: string, value: T): T {
  return probe === null ? value : (probe(clause, value) as T);
}

/** Run `fn` with `p` observing (and possibly replacing) every stage value; restores the previous probe. */
export function withStageProbe<R>(p: StageProbe, fn: () => R): R {
  const before = probe;
  probe = p;
  try {
    return fn();
  } finally {
    probe = before;
  }
}
