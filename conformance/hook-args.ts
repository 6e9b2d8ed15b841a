/**
 * Hook arguments for the kit, drawn from each hook kind's own schema (`HookKind.args`): typical
 * values (`examples`) and, where the schema gives one, a finite range. An argument without
 * examples or range is left absent (its default).
 */
import fc from "fast-check";
import type { HookArg, HookKind, Json } from "../spec/index.js";

function argArb(a: HookArg): fc.Arbitrary<Json> | null {
  const arbs: fc.Arbitrary<Json>[] = [];
  if (a.examples.length > 0) arbs.push(fc.constantFrom(...a.examples));
  if (a.range !== undefined) arbs.push(fc.double({ min: a.range[0], max: a.range[1], noNaN: true }));
  return arbs.length === 0 ? null : fc.oneof(...arbs);
}

/** Arguments of a hook kind (`{}` for a kind without a schema). */
export function hookArgsArb(kind: HookKind): fc.Arbitrary<Record<string, Json>> {
  const fields: Record<string, fc.Arbitrary<Json>> = {};
  for (const a of kind.args ?? []) {
    const arb = argArb(a);
    if (arb !== null) fields[a.name] = arb;
  }
  return fc.record(fields);
}
