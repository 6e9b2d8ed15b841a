/**
 * Mutations of seed inputs: byte-level damage to whole files, damage to one archive member behind
 * fresh checksums (so that it reaches the `.npy` and JSON decoders), and structural edits of JSON
 * documents (values replaced by hostile ones, keys dropped or added, deep nesting).
 */
import { readZip } from "../../spec/serialization/zip.js";
import { DecodeBudget } from "../../spec/serialization/limits.js";
import { writeZip } from "../../spec/serialization/zip-write.js";
import type { Rng } from "./random.js";
import { concat } from "./bytes.js";

const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One to four byte-level mutations. */
export function mutateBytes(rng: Rng, input: Uint8Array, donors: readonly Uint8Array[]): Uint8Array {
  let b: Uint8Array = input.slice();
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(8)) {
      case 0:
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        if (b.length > 0) b[at] = rng.pick([0, 0xff, 0x7f, 0x80, 0x20, 0x22, 0x5b, 0x7b]);
        break;
      case 2:
        if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, rng.pick(INTERESTING_32), true);
        break;
      case 3:
        if (at + 2 <= b.length)
          new DataView(b.buffer, b.byteOffset).setUint16(at, rng.pick([0, 1, 0xffff, 0x8000, b.length & 0xffff]), true);
        break;
      case 4:
        b = b.slice(0, at);
        break;
      case 5: {
        const ins = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        b = concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 6: {
        const len = rng.int(Math.max(1, b.length - at));
        b = concat([b.subarray(0, at), b.subarray(at + len)]);
        break;
      }
      default: {
        if (donors.length === 0) break;
        const donor = rng.pick(donors);
        const from = rng.int(Math.max(1, donor.length));
        b = concat([b.subarray(0, at), donor.subarray(from, from + 1 + rng.int(64))]);
      }
    }
  }
  return b;
}

/** Damage one member of a valid archive and re-zip it with correct checksums; null when `input` is no archive. */
export function mutateMember(rng: Rng, input: Uint8Array, donors: readonly Uint8Array[]): Uint8Array | null {
  let entries;
  try {
    // Only small archives are rebuilt (a bomb's members would take seconds to re-deflate).
    entries = readZip(input, new DecodeBudget({ maxBytes: 4 * 2 ** 20 }));
  } catch {
    return null;
  }
  if (entries.length === 0) return null;
  const k = rng.int(entries.length);
  const victim = entries[k]!;
  const text = victim.name.startsWith("__optspec__") && rng.next() < 0.5;
  const data = text ? mutateJsonBytes(rng, victim.data) : mutateBytes(rng, victim.data, donors);
  const changed = entries.map((e, i) => (i === k ? { name: e.name, data } : e));
  if (rng.next() < 0.1) changed.splice(rng.int(changed.length), 1);
  try {
    return writeZip(changed, rng.next() < 0.5);
  } catch {
    return null;
  }
}

/** The JSON document inside a lossless `__optspec__.npy` member: edit it and keep the `.npy` framing. */
function mutateJsonBytes(rng: Rng, npy: Uint8Array): Uint8Array {
  const headerEnd = npy.indexOf(0x0a) + 1;
  if (headerEnd <= 0) return npy;
  const text = new TextDecoder().decode(npy.subarray(headerEnd));
  const edited = new TextEncoder().encode(mutateJson(rng, text));
  // Rewrite the shape in the header to the new length, keeping the header's size when it fits.
  const header = new TextDecoder("latin1").decode(npy.subarray(0, headerEnd));
  const fixed = header.replace(/\(\d+,\)/, `(${edited.length},)`);
  const head = Uint8Array.from(fixed, (c) => c.charCodeAt(0));
  if (head.length === headerEnd) return concat([head, edited]);
  return concat([npy.subarray(0, headerEnd), edited]);
}

function hostileValue(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0:
      return -rng.int(10);
    case 1:
      return rng.pick([0, -0.5, 1e308, -1e308, 2 ** 53, 2 ** 60, 0.1, -1]);
    case 2:
      return { f: rng.pick(["fff8000000000000", "8000000000000000", "7ff0000000000000", "bff0000000000000", "zz"]) };
    case 3:
      return rng.pick(["", "float32", "float16", "int32", "Adam", "x".repeat(1 + rng.int(100))]);
    case 4:
      return rng.pick([true, false, null]);
    case 5:
      return [];
    case 6:
      return {};
    case 7: {
      const d = 1 + rng.int(400);
      return JSON.parse("[".repeat(d) + "]".repeat(d)) as unknown;
    }
    case 8:
      return Array.from({ length: rng.int(6) }, () => rng.int(5) - 1);
    case 9:
      return { dtype: "float32", shape: [rng.int(4)], bits: "3f800000" };
    case 10:
      return { a: [1, 2] };
    default:
      return { o: [["x", 1]] };
  }
}

/** All the places (parent, key) in a JSON value, breadth first, at most `limit`. */
function places(root: unknown, limit: number): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = [];
  const queue: unknown[] = [root];
  while (queue.length > 0 && out.length < limit) {
    const v = queue.shift();
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), queue.push(x)));
    else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        out.push([v as Record<string, unknown>, k]);
        queue.push(x);
      }
    }
  }
  return out;
}

/** One to three edits of a JSON text: structural when it parses, byte-level otherwise. */
export function mutateJson(rng: Rng, text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch {
    doc = undefined;
  }
  if (doc === undefined || rng.next() < 0.2) {
    const bytes = mutateBytes(rng, new TextEncoder().encode(text), []);
    return new TextDecoder().decode(bytes);
  }
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const ps = places(doc, 5000);
    if (ps.length === 0) break;
    const [parent, key] = rng.pick(ps);
    const r = rng.int(4);
    if (Array.isArray(parent)) {
      if (r === 0) parent.splice(key as number, 1);
      else if (r === 1) parent.push(hostileValue(rng));
      else parent[key as number] = hostileValue(rng);
    } else if (r === 0) delete parent[key as string];
    else if (r === 1) parent[`k${rng.int(10)}`] = hostileValue(rng);
    else parent[key as string] = hostileValue(rng);
  }
  try {
    return JSON.stringify(doc);
  } catch {
    // Nested past what JSON.stringify can recurse through: damage the text instead.
    return new TextDecoder().decode(mutateBytes(rng, new TextEncoder().encode(text), []));
  }
}
