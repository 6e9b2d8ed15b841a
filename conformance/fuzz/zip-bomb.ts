/**
 * Zip bombs for the decoders' budget: an `.npz` whose one member inflates to `inflated` bytes of a
 * valid `.npy` of zeros from about `inflated / 1000` bytes, declaring whatever size it is told to.
 * Built without ever holding the inflated bytes: one deflated megabyte of zeros, sync-flushed so
 * that it ends on a byte boundary, is repeated (a run of zeros only refers back one byte).
 */
import { constants, crc32, deflateRawSync } from "node:zlib";
import { concat } from "./bytes.js";

const MIB = 2 ** 20;

/** The deflate stream of `header` followed by `zeros` zero bytes (`zeros` a multiple of 1 MiB). */
function deflateZeros(header: Uint8Array, zeros: number): Uint8Array {
  // A sync flush ends each piece with an empty stored block: byte-aligned, not final, so pieces chain.
  const sync = { level: 9, finishFlush: constants.Z_SYNC_FLUSH };
  const unit = new Uint8Array(deflateRawSync(new Uint8Array(MIB), sync));
  const parts = [new Uint8Array(deflateRawSync(header, sync))];
  for (let i = 0; i < zeros / MIB; i++) parts.push(unit);
  parts.push(Uint8Array.of(0x03, 0x00)); // a final, empty fixed-Huffman block
  return concat(parts);
}

/** The CRC-32 of `header` followed by `zeros` zero bytes, without materializing them. */
function crcOfZeros(header: Uint8Array, zeros: number): number {
  const mib = new Uint8Array(MIB);
  let c = crc32(header);
  for (let i = 0; i < zeros / MIB; i++) c = crc32(mib, c);
  return c >>> 0;
}

/** A version 1.0 `.npy` header for a 1-d uint8 array of `n` elements, padded to 128 bytes. */
function npyHeader(n: number): Uint8Array {
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${n},), }`;
  const text = dict.padEnd(128 - 10 - 1, " ") + "\n";
  const out = new Uint8Array(10 + text.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

export interface BombOptions {
  /** Bytes the member really inflates to (rounded down to whole MiB of zeros after a 128-byte header). */
  readonly inflated: number;
  /** The size the zip headers declare; default the true size. */
  readonly declared?: number;
  /** How many such members (named m0.npy, m1.npy, …). */
  readonly members?: number;
}

/** A zip bomb `.npz` (see the file header). */
export function zipBomb(options: BombOptions): Uint8Array {
  const zeros = Math.floor((options.inflated - 128) / MIB) * MIB;
  const header = npyHeader(zeros);
  const data = deflateZeros(header, zeros);
  const trueSize = header.length + zeros;
  const declared = options.declared ?? trueSize;
  const crc = crcOfZeros(header, zeros);
  const count = options.members ?? 1;
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (let k = 0; k < count; k++) {
    const name = new TextEncoder().encode(`m${k}.npy`);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 8, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, declared, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, 8, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, declared, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const cd = concat(centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, count, true);
  ev.setUint16(10, count, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, cd, end]);
}
