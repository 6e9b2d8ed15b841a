/**
 * The host path for the few segments numpy would compute in float64 (a Python-float scalar beyond
 * float32's range meets a float32 array): those segments are read back, updated by the JS backend
 * (exact by construction) on packed host copies, and written back. Nothing is written to the
 * device before the JS kernel has accepted the whole call, so a call it refuses changes nothing.
 */
import { type WebgpuBuffer, readNow, writeNow } from "./memory.js";

export interface HostSlices {
  /** Host copies, one per device buffer, holding the selected ranges packed one after another. */
  readonly arrays: Float32Array[];
  /** The packed offset of each range. */
  readonly offsets: number[];
}

/** Reads the ranges `[offset, offset + length)` of every buffer into packed host arrays. */
export async function readSlices(
  bufs: readonly WebgpuBuffer[],
  ranges: readonly { offset: number; length: number }[],
): Promise<HostSlices> {
  const total = ranges.reduce((n, r) => n + r.length, 0);
  const offsets: number[] = [];
  let at = 0;
  for (const r of ranges) {
    offsets.push(at);
    at += r.length;
  }
  const arrays: Float32Array[] = [];
  for (const b of bufs) {
    const a = new Float32Array(total);
    for (let j = 0; j < ranges.length; j++) {
      const r = ranges[j]!;
      a.set(await readNow(b, r.offset, r.length), offsets[j]!);
    }
    arrays.push(a);
  }
  return { arrays, offsets };
}

/** Writes the packed host copies back to the ranges they were read from. */
export async function writeSlices(
  bufs: readonly WebgpuBuffer[],
  slices: HostSlices,
  ranges: readonly { offset: number; length: number }[],
): Promise<void> {
  for (let k = 0; k < bufs.length; k++) {
    for (let j = 0; j < ranges.length; j++) {
      const r = ranges[j]!;
      const o = slices.offsets[j]!;
      await writeNow(bufs[k]!, slices.arrays[k]!.subarray(o, o + r.length), r.offset);
    }
  }
}
