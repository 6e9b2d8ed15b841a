/**
 * The zip container of an `.npz`, as numpy (through Python's `zipfile`) writes it, and a strict
 * reader for it. Deflate itself is fflate's; everything around it (headers, CRC-32, layout) is here.
 *
 * @clause serialization.zip.layout `writeZip` lays entries out as Python's `zipfile` does for
 * numpy's `zipf.open(name, 'w', force_zip64=True)` on a seekable file (layout "legacy", Python
 * 3.11.2 as in the golden files): local header (version needed 20, flags 0 — 0x800 for a non-ASCII
 * name —, DOS time 0 and date 0x0021 = 1980-01-01 00:00, real CRC and sizes) followed by a 20-byte
 * zip64 extra field (id 1, size 16, uncompressed then compressed size as uint64) although no size
 * needs it; then the data; then central directory records (version made by 0x0314 = Unix/2.0,
 * needed 20, no extra, no comment, internal attributes 0, external attributes 0o600 << 16); then
 * the end record without comment. Layout "modern" is newer Pythons' variant (see `ZipLayout`).
 * @clause serialization.zip.read `readZip` accepts methods 0 (stored) and 8 (deflate), data
 * descriptors (flag 8), UTF-8 or cp437 names; it refuses encryption, zip64 archives (a zip64 end
 * record, 0xFFFF/0xFFFFFFFF markers, a zip64 field in the central directory; the local zip64 field
 * numpy always writes is accepted when it agrees), multi-disk archives, duplicate names, a CRC or
 * size mismatch, local headers that disagree with the central directory, and any byte not covered
 * by an entry, the central directory or the end record.
 */
import { deflateSync, inflateSync } from "fflate";
import { NpzFormatError } from "./errors.js";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zip and zlib use). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const DOS_DATE_1980_01_01 = 0x0021;
const ALLOWED_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800;

// Code page 437, bytes 0x80..0xFF (names without the UTF-8 flag, as Python decodes them).
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
  "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

function decodeName(raw: Uint8Array, utf8: boolean, fail: (r: string) => never): string {
  if (utf8) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      return fail("entry name flagged UTF-8 is not valid UTF-8");
    }
  }
  let s = "";
  for (const b of raw) s += b < 0x80 ? String.fromCharCode(b) : (CP437_HIGH[b - 0x80] as string);
  return s;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface Central {
  name: string;
  rawName: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  /** Filled in from the local header: where the entry's data starts, and where the entry ends. */
  dataStart: number;
  end: number;
}

/** Read every entry of a zip archive, in central-directory order, verifying sizes and CRC-32. */
export function readZip(bytes: Uint8Array): ZipEntry[] {
  const fail = (reason: string, entry?: string): never => {
    throw new NpzFormatError(reason, entry);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  if (bytes.length < 22) fail(`truncated: ${bytes.length} bytes cannot hold an end-of-central-directory record`);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (u32(i) === SIG_END && i + 22 + u16(i + 20) === bytes.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail("expected an end-of-central-directory record ending the data (truncated archive, or trailing bytes)");
  if (eocd >= 20 && u32(eocd - 20) === SIG_ZIP64_LOCATOR) fail("zip64 archives are not supported");
  const [disk, cdDisk, nHere, nTotal, cdSize, cdOffset] =
    [u16(eocd + 4), u16(eocd + 6), u16(eocd + 8), u16(eocd + 10), u32(eocd + 12), u32(eocd + 16)];
  if (nTotal === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) fail("zip64 archives are not supported");
  if (disk !== 0 || cdDisk !== 0 || nHere !== nTotal) fail("multi-disk archives are not supported");
  if (cdOffset + cdSize !== eocd) {
    fail(`expected the central directory (offset ${cdOffset}, ${cdSize} bytes) to end where the end record starts (${eocd})`);
  }
  const entries: Central[] = [];
  let p = cdOffset;
  for (let k = 0; k < nTotal; k++) {
    if (p + 46 > eocd || u32(p) !== SIG_CENTRAL) fail(`corrupted central directory: expected record ${k} at offset ${p}`);
    const flags = u16(p + 8);
    const [nameLen, extraLen, commentLen] = [u16(p + 28), u16(p + 30), u16(p + 32)];
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > eocd) fail(`corrupted central directory: record ${k} runs past its end`);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    const name = decodeName(rawName, (flags & 0x800) !== 0, (r) => fail(`corrupted central directory: ${r}`));
    const e: Central = {
      name, rawName, flags, method: u16(p + 10), crc: u32(p + 16), csize: u32(p + 20), usize: u32(p + 24),
      offset: u32(p + 42), dataStart: 0, end: 0,
    };
    if (e.csize === 0xffffffff || e.usize === 0xffffffff || e.offset === 0xffffffff || u16(p + 34) === 0xffff) {
      fail("zip64 entries are not supported", name);
    }
    if (u16(p + 34) !== 0) fail("multi-disk archives are not supported", name);
    if (flags & 1 || flags & 0x40 || flags & 0x2000) fail("encrypted entries are not supported", name);
    if (flags & ~ALLOWED_FLAGS) fail(`unsupported general-purpose flags 0x${flags.toString(16)}`, name);
    if (e.method !== 0 && e.method !== 8) fail(`unsupported compression method ${e.method} (expected 0 stored or 8 deflate)`, name);
    if (e.method === 0 && e.csize !== e.usize) fail(`stored entry has compressed size ${e.csize} != size ${e.usize}`, name);
    const extra = parseExtra(bytes.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), (r) => fail(`central directory: ${r}`, name));
    if (extra.has(1)) fail("zip64 extra field in the central directory is not supported", name);
    if (entries.some((o) => o.name === name)) fail("duplicate entry name", name);
    entries.push(e);
    p = next;
  }
  if (p !== eocd) fail(`corrupted central directory: ${eocd - p} bytes after the ${nTotal} records`);
  for (const e of entries) readLocal(e, bytes, dv, cdOffset, fail);
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  let at = 0;
  for (const e of byOffset) {
    if (e.offset !== at) fail(`expected the entry at offset ${at}, found it at ${e.offset} (gap or overlap)`, e.name);
    at = e.end;
  }
  if (at !== cdOffset) fail(`expected the central directory at offset ${at}, found it at ${cdOffset}`);
  return entries.map((e) => ({ name: e.name, data: extract(e, bytes, fail) }));
}

function parseExtra(raw: Uint8Array, fail: (r: string) => never): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let p = 0;
  while (p < raw.length) {
    if (p + 4 > raw.length) fail("truncated extra field");
    const [id, len] = [dv.getUint16(p, true), dv.getUint16(p + 2, true)];
    if (p + 4 + len > raw.length) fail(`extra field 0x${id.toString(16)} runs past the extra area`);
    if (out.has(id)) fail(`duplicate extra field 0x${id.toString(16)}`);
    out.set(id, raw.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}

function readLocal(e: Central, bytes: Uint8Array, dv: DataView, limit: number, fail: (r: string, n?: string) => never): void {
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const bad = (r: string): never => fail(r, e.name);
  const p = e.offset;
  if (p + 30 > limit || u32(p) !== SIG_LOCAL) bad(`expected a local file header at offset ${p}`);
  const [nameLen, extraLen] = [u16(p + 26), u16(p + 28)];
  e.dataStart = p + 30 + nameLen + extraLen;
  if (e.dataStart > limit) bad("local header runs into the central directory");
  if (!sameBytes(bytes.subarray(p + 30, p + 30 + nameLen), e.rawName)) bad("local header name differs from the central directory");
  if (u16(p + 6) !== e.flags || u16(p + 8) !== e.method) bad("local header flags or method differ from the central directory");
  const descriptor = (e.flags & 8) !== 0;
  const agrees = (v: number | bigint, want: number): boolean => BigInt(v) === BigInt(want) || (descriptor && BigInt(v) === 0n);
  const extra = parseExtra(bytes.subarray(p + 30 + nameLen, e.dataStart), (r) => bad(`local header: ${r}`));
  const z64 = extra.get(1);
  if (z64 !== undefined) {
    const zdv = new DataView(z64.buffer, z64.byteOffset, z64.byteLength);
    if (z64.length !== 16) bad(`unsupported zip64 extra field of ${z64.length} bytes in the local header`);
    if (!agrees(zdv.getBigUint64(0, true), e.usize) || !agrees(zdv.getBigUint64(8, true), e.csize)) {
      bad("local zip64 sizes differ from the central directory");
    }
  }
  // Python >= 3.11.4-ish with force_zip64 puts 0xFFFFFFFF markers here and the sizes in the zip64 field.
  const size32 = (v: number, want: number): boolean => agrees(v, want) || (z64 !== undefined && v === 0xffffffff);
  if (!agrees(u32(p + 14), e.crc) || !size32(u32(p + 18), e.csize) || !size32(u32(p + 22), e.usize)) {
    bad("local header CRC or sizes differ from the central directory");
  }
  let end = e.dataStart + e.csize;
  if (end > limit) bad(`truncated: ${e.csize} data bytes run into the central directory`);
  if (descriptor) {
    if (end + 4 <= limit && u32(end) === SIG_DESCRIPTOR) end += 4;
    const wide = z64 !== undefined;
    if (end + (wide ? 20 : 12) > limit) bad("truncated data descriptor");
    const [crc, cs, us] = wide
      ? [u32(end), dv.getBigUint64(end + 4, true), dv.getBigUint64(end + 12, true)]
      : [u32(end), u32(end + 4), u32(end + 8)];
    if (crc !== e.crc || BigInt(cs) !== BigInt(e.csize) || BigInt(us) !== BigInt(e.usize)) {
      bad("data descriptor differs from the central directory");
    }
    end += wide ? 20 : 12;
  }
  e.end = end;
}

function extract(e: Central, bytes: Uint8Array, fail: (r: string, n?: string) => never): Uint8Array {
  const raw = bytes.subarray(e.dataStart, e.dataStart + e.csize);
  let data = raw;
  if (e.method === 8) {
    if (raw.length === 0) fail("empty deflate stream", e.name);
    try {
      // One spare byte: an inflated size above the declared one shows as a full buffer.
      data = inflateSync(raw, { out: new Uint8Array(e.usize + 1) });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new NpzFormatError(`invalid deflate data (${msg})`, e.name, { cause: err });
    }
    if (data.length !== e.usize) {
      fail(`inflated to ${data.length > e.usize ? "more than" : data.length} bytes, expected ${e.usize}`, e.name);
    }
  }
  const crc = crc32(data);
  if (crc !== e.crc) fail(`CRC-32 mismatch: computed ${crc.toString(16).padStart(8, "0")}, recorded ${e.crc.toString(16).padStart(8, "0")}`, e.name);
  return data.slice();
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
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
