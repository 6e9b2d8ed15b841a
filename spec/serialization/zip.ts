/**
 * A strict reader for the zip container of an `.npz`. Inflate itself is fflate's; everything
 * around it (headers, layout, CRC-32 and size checks) is here. The writer is in zip-write.ts.
 *
 * @clause serialization.zip.read `readZip` accepts methods 0 (stored) and 8 (deflate), data
 * descriptors (flag 8), UTF-8 or cp437 names; it refuses encryption, zip64 archives (a zip64 end
 * record, 0xFFFF/0xFFFFFFFF markers, a zip64 field in the central directory; the local zip64 field
 * numpy always writes is accepted when it agrees), multi-disk archives, duplicate names, a CRC or
 * size mismatch, local headers that disagree with the central directory, and any byte not covered
 * by an entry, the central directory or the end record.
 * @clause serialization.zip.bounded Before inflating anything, each member's declared size must be
 * possible for its compressed bytes (deflate expands at most 1032:1) and all declared sizes
 * together must fit the decode budget (`serialization.limits.budget`); a member is inflated in
 * small input chunks into a buffer of its declared size and refused the moment it inflates past it.
 */
import { Inflate } from "fflate";
import { crc32 } from "./crc32.js";
import { NpzFormatError } from "./errors.js";
import { DecodeBudget } from "./limits.js";

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
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

/**
 * Looks at the first bytes of a member (up to `HEAD_BYTES`, all of it when shorter) before the
 * member's buffer is allocated, and throws to refuse it (npz.ts checks the `.npy` header here).
 */
export type Inspect = (name: string, head: Uint8Array, declared: number) => void;

/** How much of a member `Inspect` sees. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Read every entry of a zip archive, in central-directory order, verifying sizes and CRC-32, within
 * `budget` (a fresh default budget when none is given).
 */
export function readZip(
  bytes: Uint8Array,
  budget: DecodeBudget = new DecodeBudget(),
  inspect: Inspect = () => undefined,
): ZipEntry[] {
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
  if (eocd < 0)
    fail("expected an end-of-central-directory record ending the data (truncated archive, or trailing bytes)");
  if (eocd >= 20 && u32(eocd - 20) === SIG_ZIP64_LOCATOR) fail("zip64 archives are not supported");
  const [disk, cdDisk, nHere, nTotal, cdSize, cdOffset] = [
    u16(eocd + 4),
    u16(eocd + 6),
    u16(eocd + 8),
    u16(eocd + 10),
    u32(eocd + 12),
    u32(eocd + 16),
  ];
  if (nTotal === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) fail("zip64 archives are not supported");
  if (disk !== 0 || cdDisk !== 0 || nHere !== nTotal) fail("multi-disk archives are not supported");
  if (cdOffset + cdSize !== eocd) {
    fail(
      `expected the central directory (offset ${cdOffset}, ${cdSize} bytes) to end where the end record starts (${eocd})`,
    );
  }
  const entries: Central[] = [];
  let p = cdOffset;
  for (let k = 0; k < nTotal; k++) {
    if (p + 46 > eocd || u32(p) !== SIG_CENTRAL)
      fail(`corrupted central directory: expected record ${k} at offset ${p}`);
    const flags = u16(p + 8);
    const [nameLen, extraLen, commentLen] = [u16(p + 28), u16(p + 30), u16(p + 32)];
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > eocd) fail(`corrupted central directory: record ${k} runs past its end`);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    const name = decodeName(rawName, (flags & 0x800) !== 0, (r) => fail(`corrupted central directory: ${r}`));
    const e: Central = {
      name,
      rawName,
      flags,
      method: u16(p + 10),
      crc: u32(p + 16),
      csize: u32(p + 20),
      usize: u32(p + 24),
      offset: u32(p + 42),
      dataStart: 0,
      end: 0,
    };
    if (e.csize === 0xffffffff || e.usize === 0xffffffff || e.offset === 0xffffffff || u16(p + 34) === 0xffff) {
      fail("zip64 entries are not supported", name);
    }
    if (u16(p + 34) !== 0) fail("multi-disk archives are not supported", name);
    if (flags & 1 || flags & 0x40 || flags & 0x2000) fail("encrypted entries are not supported", name);
    if (flags & ~ALLOWED_FLAGS) fail(`unsupported general-purpose flags 0x${flags.toString(16)}`, name);
    if (e.method !== 0 && e.method !== 8)
      fail(`unsupported compression method ${e.method} (expected 0 stored or 8 deflate)`, name);
    if (e.method === 0 && e.csize !== e.usize)
      fail(`stored entry has compressed size ${e.csize} != size ${e.usize}`, name);
    const extra = parseExtra(bytes.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), (r) =>
      fail(`central directory: ${r}`, name),
    );
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
  for (const e of entries) {
    // Deflate cannot expand by more than 1032:1; a larger declared size is a corrupt header.
    if (e.method === 8 && e.usize > e.csize * 1032 + 1032)
      fail(`declared size ${e.usize} is impossible for ${e.csize} deflate bytes`, e.name);
    const refused = budget.reserve(e.usize, `declares ${e.usize} inflated bytes`);
    if (refused !== null) fail(refused, e.name);
  }
  return entries.map((e) => ({ name: e.name, data: extract(e, bytes, fail, inspect) }));
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

function readLocal(
  e: Central,
  bytes: Uint8Array,
  dv: DataView,
  limit: number,
  fail: (r: string, n?: string) => never,
): void {
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const bad = (r: string): never => fail(r, e.name);
  const p = e.offset;
  if (p + 30 > limit || u32(p) !== SIG_LOCAL) bad(`expected a local file header at offset ${p}`);
  const [nameLen, extraLen] = [u16(p + 26), u16(p + 28)];
  e.dataStart = p + 30 + nameLen + extraLen;
  if (e.dataStart > limit) bad("local header runs into the central directory");
  if (!sameBytes(bytes.subarray(p + 30, p + 30 + nameLen), e.rawName))
    bad("local header name differs from the central directory");
  if (u16(p + 6) !== e.flags || u16(p + 8) !== e.method)
    bad("local header flags or method differ from the central directory");
  const descriptor = (e.flags & 8) !== 0;
  const agrees = (v: number | bigint, want: number): boolean =>
    BigInt(v) === BigInt(want) || (descriptor && BigInt(v) === 0n);
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

/**
 * Input bytes per inflate step. One step yields at most 1032 times its input, so a step is sized to
 * what is still expected (at least 4 KiB, at most 64 KiB): a member that lies about its size is
 * caught at most a few MiB past its declaration.
 */
function inflateStep(remaining: number, min = 4 * 1024): number {
  return Math.min(64 * 1024, Math.max(min, Math.ceil(remaining / 1032) + 1));
}

/** Inflate `raw` into exactly `declared` bytes, stopping as soon as it produces more. */
function inflateBounded(raw: Uint8Array, declared: number, name: string, inspect: Inspect): Uint8Array {
  const headSize = Math.min(declared, HEAD_BYTES);
  let out: Uint8Array | null = null;
  const pending: Uint8Array[] = [];
  let at = 0;
  let over = false;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    if (at + chunk.length > declared) over = true;
    else if (out !== null) out.set(chunk, at);
    else pending.push(chunk);
    at += chunk.length;
    done = final;
  });
  for (let p = 0; p < raw.length && !over;) {
    // Until the head has been inspected, steps aim at the head (1 KiB of input yields at most ~1 MiB).
    const step = out === null ? inflateStep(headSize - at, 1024) : inflateStep(declared - at);
    try {
      inflater.push(raw.subarray(p, p + step), p + step >= raw.length);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new NpzFormatError(`invalid deflate data (${msg})`, name, { cause: err });
    }
    p += step;
    if (out === null && !over && (at >= headSize || done)) {
      // The member's buffer exists only once its first bytes have been looked at.
      const head = new Uint8Array(at);
      let q = 0;
      for (const c of pending) {
        head.set(c, q);
        q += c.length;
      }
      inspect(name, head.subarray(0, headSize), declared);
      out = new Uint8Array(declared);
      out.set(head);
      pending.length = 0;
    }
  }
  if (over)
    throw new NpzFormatError(`inflates to more than its declared ${declared} bytes (stopped after ${at})`, name);
  if (!done || at !== declared || out === null)
    throw new NpzFormatError(`inflated to ${at} bytes, expected ${declared}`, name);
  return out;
}

function extract(e: Central, bytes: Uint8Array, fail: (r: string, n?: string) => never, inspect: Inspect): Uint8Array {
  const raw = bytes.subarray(e.dataStart, e.dataStart + e.csize);
  let data: Uint8Array;
  if (e.method === 8) {
    if (raw.length === 0) fail("empty deflate stream", e.name);
    data = inflateBounded(raw, e.usize, e.name, inspect);
  } else {
    inspect(e.name, raw.subarray(0, HEAD_BYTES), e.usize);
    data = raw.slice();
  }
  const crc = crc32(data);
  if (crc !== e.crc)
    fail(
      `CRC-32 mismatch: computed ${crc.toString(16).padStart(8, "0")}, recorded ${e.crc.toString(16).padStart(8, "0")}`,
      e.name,
    );
  return data;
}
