/**
 * How much memory a decoder may spend on one input, decided before it allocates.
 *
 * @clause serialization.limits.budget Every decoder (npz, lossless npz, lossless JSON) works within
 * a byte budget, `maxBytes` (default `DEFAULT_MAX_DECODE_BYTES`, 256 MiB), for what it holds at
 * once: the inflated sizes the zip directory declares for all members plus the decoded arrays (8
 * bytes per element, as the spec holds them) must stay within it, each checked before the buffer
 * is allocated; JSON text may be at most `maxBytes` UTF-16 code units. The size a member's `.npy`
 * header implies must equal the size the zip directory declares, checked on the member's first
 * bytes, before its buffer is allocated. A member that inflates to more than it declared is refused
 * as soon as it passes its declared size. The error names the member, what was declared and the
 * limit.
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

/** A budget being spent: each reservation says what it is for, and is refused past the limit. */
export class DecodeBudget {
  readonly limit: number;
  private used = 0;

  constructor(limits: DecodeLimits = {}) {
    const max = limits.maxBytes ?? DEFAULT_MAX_DECODE_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0)
      throw new RangeError(`maxBytes must be a positive safe integer, got ${String(max)}`);
    this.limit = max;
  }

  /** Why `bytes` more would not fit (`what` says what they are), or null when they would. */
  refusal(bytes: number | bigint, what: string): string | null {
    if (BigInt(bytes) <= BigInt(this.limit - this.used)) return null;
    return `${what}; with the ${this.used} bytes already taken that exceeds the limit of ${this.limit} bytes (maxBytes)`;
  }

  /** Take `bytes` from the budget; returns the refusal instead when they do not fit. */
  reserve(bytes: number | bigint, what: string): string | null {
    const refused = this.refusal(bytes, what);
    if (refused === null) this.used += Number(bytes);
    return refused;
  }
}
