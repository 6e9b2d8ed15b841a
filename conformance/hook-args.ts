/**
 * Hook arguments for the kit, drawn from each hook kind's own schema (`HookKind.args`): typical
 * values (`examples`) and, where the schema gives one, a finite range. An argument without
 * examples or range is left absent (its default).
 */
import fc from "fast-check";
import { type HookArg, type HookKind, type Json, type NDArray, np, roundTo } from "../spec/index.js";

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

/**
 * Arguments for one parameter `p` with gradient `g`, reaching the corners of a hook's formula: any
 * numeric argument may be 0, equal to an element of the gradient (a clipping bound met exactly) or
 * equal to the parameter's norm (a threshold met exactly).
 */
export function hookCornerArgsArb(kind: HookKind, p: NDArray, g: NDArray): fc.Arbitrary<Record<string, Json>> {
  const norm = roundTo(p.dtype, Math.sqrt(np.dotSelf(p).data[0] as number));
  const corners: number[] = [
    0,
    ...(Number.isFinite(norm) ? [norm] : []),
    ...Array.from(g.data)
      .filter((x) => Number.isFinite(x))
      .slice(0, 8),
  ];
  const numeric = (kind.args ?? []).filter((a) => a.type === "number").map((a) => a.name);
  return hookArgsArb(kind).chain((args) => {
    const present = numeric.filter((n) => n in args);
    if (present.length === 0) return fc.constant(args);
    return fc
      .array(fc.tuple(fc.constantFrom(...present), fc.constantFrom(...corners)), { maxLength: 2 })
      .map((edits) => {
        const out: Record<string, Json> = { ...args };
        for (const [name, v] of edits) out[name] = v;
        return out;
      })
      .filter((a) => kind.validate(a) === null);
  });
}
