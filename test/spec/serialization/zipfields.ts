/**
 * A test-side dissection of a (well-formed) zip archive into named header fields, written
 * independently of spec/serialization/zip.ts, to compare layouts field by field.
 */

export type Fields = Record<string, number | string>;

export interface ZipLayoutFields {
  entries: { local: Fields; central: Fields }[];
  end: Fields;
}

export function zipFields(bytes: Uint8Array): ZipLayoutFields {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const hexOf = (a: number, b: number): string => Buffer.from(bytes.subarray(a, b)).toString("hex");
  const e = bytes.length - 22;
  const end: Fields = {
    sig: u32(e),
    disk: u16(e + 4),
    cdDisk: u16(e + 6),
    nHere: u16(e + 8),
    nTotal: u16(e + 10),
    cdSize: u32(e + 12),
    cdOffset: u32(e + 16),
    commentLen: u16(e + 20),
  };
  const entries: ZipLayoutFields["entries"] = [];
  let p = end["cdOffset"] as number;
  for (let k = 0; k < (end["nTotal"] as number); k++) {
    const [n, x, c] = [u16(p + 28), u16(p + 30), u16(p + 32)];
    const central: Fields = {
      sig: u32(p),
      madeBy: u16(p + 4),
      needed: u16(p + 6),
      flags: u16(p + 8),
      method: u16(p + 10),
      time: u16(p + 12),
      date: u16(p + 14),
      crc: u32(p + 16),
      csize: u32(p + 20),
      usize: u32(p + 24),
      nameLen: n,
      extraLen: x,
      commentLen: c,
      diskStart: u16(p + 34),
      internal: u16(p + 36),
      external: u32(p + 38),
      offset: u32(p + 42),
      name: hexOf(p + 46, p + 46 + n),
      extra: hexOf(p + 46 + n, p + 46 + n + x),
    };
    const l = central["offset"] as number;
    const [ln, lx] = [u16(l + 26), u16(l + 28)];
    const local: Fields = {
      sig: u32(l),
      needed: u16(l + 4),
      flags: u16(l + 6),
      method: u16(l + 8),
      time: u16(l + 10),
      date: u16(l + 12),
      crc: u32(l + 14),
      csize: u32(l + 18),
      usize: u32(l + 22),
      nameLen: ln,
      extraLen: lx,
      name: hexOf(l + 30, l + 30 + ln),
    };
    const xs = l + 30 + ln;
    if (lx === 20 && u16(xs) === 1 && u16(xs + 2) === 16) {
      Object.assign(local, {
        z64Id: 1,
        z64Len: 16,
        z64Usize: Number(dv.getBigUint64(xs + 4, true)),
        z64Csize: Number(dv.getBigUint64(xs + 12, true)),
      });
    } else local["extra"] = hexOf(xs, xs + lx);
    entries.push({ local, central });
    p += 46 + n + x + c;
  }
  return { entries, end };
}

/** The layout with every field that depends on the deflate stream's length blanked out. */
export function withoutDeflateLengths(z: ZipLayoutFields): ZipLayoutFields {
  const blank = (f: Fields, keys: string[]): Fields => {
    const out = { ...f };
    for (const k of keys) if (k in out && out[k] !== 0xffffffff) out[k] = "*";
    return out;
  };
  return {
    entries: z.entries.map(({ local, central }) => ({
      local: blank(local, ["csize", "z64Csize"]),
      central: blank(central, ["csize", "offset"]),
    })),
    end: blank(z.end, ["cdOffset"]),
  };
}
