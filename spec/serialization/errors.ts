/**
 * The two ways a serialized optimizer can be malformed: a bad `.npy` payload, or a bad `.npz`
 * (zip) container. Decoders in this folder throw only these; they never let a `RangeError` from a
 * `DataView`, a `TypeError`, or an inflater's own error escape.
 *
 * @clause serialization.errors.only Decoding malformed bytes raises `NpyFormatError` (an `.npy`
 * payload) or `NpzFormatError` (an `.npz` archive, including any `.npy` payload inside it) and
 * nothing else; the error names the entry, when there is one, and says what was expected.
 */

function describe(kind: string, entry: string | undefined, reason: string): string {
  return entry === undefined ? `${kind}: ${reason}` : `${kind} entry ${JSON.stringify(entry)}: ${reason}`;
}

/** A malformed `.npy` payload. `entry` is the archive member it came from, when known. */
export class NpyFormatError extends Error {
  readonly entry: string | undefined;
  readonly reason: string;
  constructor(reason: string, entry?: string, options?: { cause?: unknown }) {
    super(describe("malformed .npy data", entry, reason), options);
    this.name = "NpyFormatError";
    this.entry = entry;
    this.reason = reason;
  }
}

/** A malformed `.npz` archive, or a malformed `.npy` member of it (then `cause` is the `NpyFormatError`). */
export class NpzFormatError extends Error {
  readonly entry: string | undefined;
  readonly reason: string;
  constructor(reason: string, entry?: string, options?: { cause?: unknown }) {
    super(describe("malformed .npz archive", entry, reason), options);
    this.name = "NpzFormatError";
    this.entry = entry;
    this.reason = reason;
  }
}
