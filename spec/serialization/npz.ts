/**
 * The `.npz` format: a zip archive of `.npy` files, one per key, as `np.savez` /
 * `np.savez_compressed` write it and as Chainer's `save_npz` produces it.
 *
 * @clause serialization.npz.read `readNpz` returns the entries in archive (central directory)
 * order, each key being the member name minus `.npy`. Every member must be named `*.npy` and hold
 * a valid `.npy` payload; any failure raises `NpzFormatError` naming the member.
 * @clause serialization.npz.write `writeNpz` writes member `key + '.npy'` for each entry, in the
 * given order, with `encodeNpy` payloads and the zip layout of `writeZip`; stored archives are
 * byte-identical to numpy 1.24's `np.savez` under Python 3.11.2 (or, with `zipLayout: 'modern'`,
 * under Python 3.11.7–3.13) with `zipfile`'s clock pinned to 1980-01-01 00:00. Compressed archives
 * have the same layout, but fflate's deflate stream differs from zlib's.
 */
import { NpyFormatError, NpzFormatError } from "./errors.js";
import { type NpyValue, decodeNpy, encodeNpy, npyDeclared } from "./npy.js";
import { readZip } from "./zip.js";
import { DecodeBudget, type DecodeLimits } from "./limits.js";
import { type ZipLayout, writeZip } from "./zip-write.js";

export type { ZipLayout } from "./zip-write.js";

export interface NpzEntry {
  readonly key: string;
  readonly array: NpyValue;
}

export interface Npz {
  readonly entries: NpzEntry[];
}

/** Decode an `.npz` within `limits` (`serialization.limits.budget`). */
export function readNpz(bytes: Uint8Array, limits: DecodeLimits = {}): Npz {
  const budget = new DecodeBudget(limits);
  const entries = readZip(bytes, budget, (name, head, declared) => inspectMember(name, head, declared, budget)).map(
    ({ name, data }) => {
      if (!name.endsWith(".npy")) throw new NpzFormatError("expected every member name to end in '.npy'", name);
      try {
        return { key: name.slice(0, -4), array: decodeNpy(data, name, budget) };
      } catch (e) {
        if (e instanceof NpyFormatError) throw new NpzFormatError(e.reason, name, { cause: e });
        throw e;
      }
    },
  );
  return { entries };
}

/**
 * Before a member's buffer is allocated: its `.npy` header must imply the size the zip directory
 * declares, and its decoded elements must fit the budget (`serialization.limits.budget`).
 */
function inspectMember(name: string, head: Uint8Array, declared: number, budget: DecodeBudget): void {
  let d;
  try {
    d = npyDeclared(head, name);
  } catch (e) {
    if (e instanceof NpyFormatError) throw new NpzFormatError(e.reason, name, { cause: e });
    throw e;
  }
  if (d === null || d.elements === null) return;
  if (d.bytes !== BigInt(declared)) {
    throw new NpzFormatError(`the .npy header implies ${d.bytes} bytes, the zip directory declares ${declared}`, name);
  }
  const refused = budget.refusal(d.elements * 8n, `declares ${d.elements} elements (${d.elements * 8n} bytes decoded)`);
  if (refused !== null) throw new NpzFormatError(refused, name);
}

export interface WriteNpzOptions {
  /** `np.savez_compressed` (deflate) rather than `np.savez` (stored). */
  readonly compress: boolean;
  /** Which Python's `zipfile` layout to reproduce; default `"legacy"` (Python 3.11.2, the golden files). */
  readonly zipLayout?: ZipLayout;
}

export function writeNpz(entries: readonly NpzEntry[], options: WriteNpzOptions): Uint8Array {
  const files = entries.map((e) => ({ name: `${e.key}.npy`, data: encodeNpy(e.array) }));
  return writeZip(files, options.compress, options.zipLayout);
}
