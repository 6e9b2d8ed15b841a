/**
 * How much memory a decoder may spend on one input, decided before it allocates.
 *
 * @clause serialization.limits.budget Every decoder (npz, lossless npz, lossless JSON) works within
 * a byte budget, `maxBytes` (default `DEFAULT_MAX_DECODE_BYTES`, 256 MiB), fixed before anything is
 * allocated: the inflated sizes the zip directory declares for its members, summed over the file,
 * and the decoded arrays (8 bytes per element, as the spec holds them), summed over the file, must
 * each stay within it; JSON text may be at most `maxBytes` UTF-16 code units. A member that inflates
 * to more than it declared is refused as soon as it passes its declared size, before any buffer of
 * its size exists. The error names the member, what was declared and the limit.
 * @clause serialization.limits.depth JSON documents are nested at most `MAX_JSON_NESTING` deep
 * (checked on the text, before it is parsed); error messages quote at most a bounded excerpt of
 * the offending value, so no input makes building a message recurse without bound.
 */

/** The default byte budget of one decoded file (256 MiB). */
export const DEFAULT_MAX_DECODE_BYTES = 256 * 2 ** 20;

/** The deepest nesting of arrays and objects a JSON document may have. */
export const MAX_JSON_NESTING = 256;

export interface DecodeLimits {
  /** The byte budget of one file (see `serialization.limits.budget`); a positive safe integer. */
  readonly maxBytes?: number;
}

/** A budget being spent: `take` refuses, through `fail`, a request that would exceed it. */
export class DecodeBudget {
  readonly limit: number;
  private members = 0;
  private arrays = 0;

  constructor(limits: DecodeLimits = {}) {
    const max = limits.maxBytes ?? DEFAULT_MAX_DECODE_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError(`maxBytes must be a positive safe integer, got ${String(max)}`);
    this.limit = max;
  }

  /** Reserve inflated member bytes; returns a refusal reason, or null when it fits. */
  reserveMember(bytes: number): string | null {
    if (bytes > this.limit - this.members) {
      return `declares ${bytes} inflated bytes; with the ${this.members} bytes of earlier members that exceeds the limit of ${this.limit} bytes (maxBytes)`;
    }
    this.members += bytes;
    return null;
  }

  /** Reserve decoded array memory (8 bytes per element); returns a refusal reason, or null. */
  reserveElements(elements: bigint): string | null {
    const bytes = elements * 8n;
    if (bytes > BigInt(this.limit - this.arrays)) {
      return `declares ${elements} elements (${bytes} bytes decoded); with the ${this.arrays} bytes of earlier arrays that exceeds the limit of ${this.limit} bytes (maxBytes)`;
    }
    this.arrays += Number(bytes);
    return null;
  }
}
