/**
 * The zip container of an `.npz`, written as numpy (through Python's `zipfile`) writes it.
 * Deflate itself is fflate's; everything around it (headers, CRC-32, layout) is here.
 *
 * @clause serialization.zip.layout `writeZip` lays entries out as Python's `zipfile` does for
 * numpy's `zipf.open(name, 'w', force_zip64=True)` on a seekable file (layout "legacy", Python
 * 3.11.2 as in the golden files): local header (version needed 20, flags 0 — 0x800 for a non-ASCII
 * name —, DOS time 0 and date 0x0021 = 1980-01-01 00:00, real CRC and sizes) followed by a 20-byte
 * zip64 extra field (id 1, size 16, uncompressed then compressed size as uint64) although no size
 * needs it; then the data; then central directory records (version made by 0x0314 = Unix/2.0,
 * needed 20, no extra, no comment, internal attributes 0, external attributes 0o600 << 16); then
 * the end record without comment. Layout "modern" is newer Pythons' variant (see `ZipLayout`).
 */
import { deflateSync } from "fflate";
import { crc32 } from "./crc32.js";
import { SIG_CENTRAL, SIG_END, SIG_LOCAL, type ZipEntry } from "./zip.js";

const DOS_DATE_1980_01_01 = 0x0021;

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s); // oxlint-disable-line no-control-regex -- the ASCII range starts at \x00 on purpose
}

/**
 * How Python's `zipfile` lays out an entry opened with `force_zip64=True` (as numpy's `savez` does):
 * - `"legacy"` — Python 3.8–3.10 and 3.11.2 (the golden files): version 20 everywhere, the real
 *   sizes in the local header and again in its zip64 field;
 * - `"modern"` — Python 3.11.7, 3.12, 3.13: version 45 (local, needed, made by), 0xFFFFFFFF for
 *   both sizes in the local header, the real sizes only in its zip64 field.
 */
export type ZipLayout = "legacy" | "modern";

/**
 * Write a zip archive byte-identical (stored) or layout-identical (deflate: zlib's and fflate's
 * streams differ) to numpy's `np.savez` / `np.savez_compressed` with entry dates pinned to
 * 1980-01-01 00:00. Throws `RangeError` on duplicate names or an archive that would need zip64.
 */
export function writeZip(entries: readonly ZipEntry[], compress: boolean, layout: ZipLayout = "legacy"): Uint8Array {
  const version = layout === "legacy" ? 20 : 45;
  const enc = new TextEncoder();
  const names = new Set<string>();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  if (entries.length >= 0xffff) throw new RangeError(`writeZip: ${entries.length} entries would need zip64`);
  for (const { name, data } of entries) {
    if (names.has(name)) throw new RangeError(`writeZip: duplicate entry name ${JSON.stringify(name)}`);
    names.add(name);
    const rawName = enc.encode(name);
    const flags = isAscii(name) ? 0 : 0x800;
    const body = compress ? deflateSync(data, { level: 6 }) : data;
    const crc = crc32(data);
    if (data.length >= 0xffffffff || body.length >= 0xffffffff || offset >= 0xffffffff) {
      throw new RangeError("writeZip: archive would need zip64");
    }
    const local = new Uint8Array(30 + rawName.length + 20 + body.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, SIG_LOCAL, true);
    l.setUint16(4, version, true);
    l.setUint16(6, flags, true);
    l.setUint16(8, compress ? 8 : 0, true);
    l.setUint16(10, 0, true);
    l.setUint16(12, DOS_DATE_1980_01_01, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, layout === "legacy" ? body.length : 0xffffffff, true);
    l.setUint32(22, layout === "legacy" ? data.length : 0xffffffff, true);
    l.setUint16(26, rawName.length, true);
    l.setUint16(28, 20, true);
    local.set(rawName, 30);
    const x = 30 + rawName.length;
    l.setUint16(x, 1, true);
    l.setUint16(x + 2, 16, true);
    l.setBigUint64(x + 4, BigInt(data.length), true);
    l.setBigUint64(x + 12, BigInt(body.length), true);
    local.set(body, x + 20);
    const central = new Uint8Array(46 + rawName.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, SIG_CENTRAL, true);
    c.setUint16(4, 0x0300 | version, true); // made by: Unix (3), zip spec version
    c.setUint16(6, version, true);
    central.set(local.subarray(6, 18), 8); // flags, method, time, date, CRC
    c.setUint32(20, body.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, rawName.length, true);
    c.setUint32(38, 0o600 << 16, true);
    c.setUint32(42, offset, true);
    central.set(rawName, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((a, b) => a + b.length, 0);
  if (offset + cdSize >= 0xffffffff) throw new RangeError("writeZip: archive would need zip64");
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals]) {
    out.set(part, p);
    p += part.length;
  }
  const d = new DataView(out.buffer);
  d.setUint32(p, SIG_END, true);
  d.setUint16(p + 8, entries.length, true);
  d.setUint16(p + 10, entries.length, true);
  d.setUint32(p + 12, cdSize, true);
  d.setUint32(p + 16, offset, true);
  return out;
}
