/**
 * Python `None` inside an `.npy` file.
 *
 * Chainer's `DictionarySerializer` stores every value through `numpy.asarray`, so a Python `None`
 * becomes a 0-d array of dtype object. `np.save` writes such an array with descr `'|O'` and, after
 * the header, a pickle of the whole array: numpy 1.x uses pickle protocol 3 and the global
 * `numpy.core.multiarray._reconstruct`; numpy 2.x uses protocol 4 (framed, memoized with MEMOIZE)
 * and `numpy._core.multiarray._reconstruct`. Both unpickle to
 *
 *     _reconstruct(ndarray, (0,), b'b').__setstate__((1, (), dtype('O8', False, True)
 *         .__setstate__((3, '|', None, None, None, -1, -1, 63)), False, [None]))
 *
 * This module runs just enough of the pickle machine to rebuild that object graph symbolically
 * and checks that it is exactly this one; any other pickle is refused. It never imports or calls
 * anything.
 *
 * @clause serialization.npy.none A 0-d object array holding `None` decodes to `{kind: 'none'}`;
 * it encodes to the bytes numpy 1.24's `np.save(f, np.asarray(None))` writes.
 */

type PV =
  | { t: "none" }
  | { t: "bool"; v: boolean }
  | { t: "int"; v: number }
  | { t: "str"; v: string }
  | { t: "bytes"; v: string }
  | { t: "tuple"; v: PV[] }
  | { t: "list"; v: PV[] }
  | { t: "global"; module: string; name: string }
  | { t: "object"; fn: PV; args: PV; state: PV | undefined }
  | { t: "mark" };

/** Raised (and turned into an `NpyFormatError` by the caller) when the pickle is not the expected one. */
export class PickleError extends Error {}

/** Run the pickle in `bytes`; it must end exactly at the STOP opcode. */
function unpickle(bytes: Uint8Array): PV {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: PV[] = [];
  const memo = new Map<number, PV>();
  const fail = (what: string): never => {
    throw new PickleError(`${what} at pickle offset ${pos}`);
  };
  const need = (n: number): number => {
    if (pos + n > bytes.length) fail("truncated pickle");
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)] as number;
  const u32 = (): number => dv.getUint32(need(4), true);
  const text = (n: number): string => {
    const at = need(n);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(at, at + n));
    } catch {
      return fail("invalid UTF-8 in pickle string");
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) fail("unterminated GLOBAL line");
    return text(end - pos + 1).slice(0, -1);
  };
  const pop = (): PV => stack.pop() ?? fail("pickle stack underflow");
  const popMark = (): PV[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i]?.t !== "mark") i--;
    if (i < 0) fail("no MARK on the pickle stack");
    const items = stack.splice(i);
    return items.slice(1);
  };
  const popStr = (): string => {
    const v = pop();
    return v.t === "str" ? v.v : fail("STACK_GLOBAL needs strings");
  };
  const memoGet = (k: number): PV => memo.get(k) ?? fail(`memo key ${k} unset`);
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("unknown pickle protocol");
        break;
      case 0x95: // FRAME: an 8-byte length, then the frame itself; frames just group bytes
        if (dv.getBigUint64(need(8), true) > BigInt(bytes.length - pos)) fail("FRAME longer than the data");
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push({ t: "global", module, name: line() });
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = popStr();
        stack.push({ t: "global", module: popStr(), name });
        break;
      }
      case 0x8c:
        stack.push({ t: "str", v: text(u8()) });
        break; // SHORT_BINUNICODE
      case 0x58:
        stack.push({ t: "str", v: text(u32()) });
        break; // BINUNICODE
      case 0x43: // SHORT_BINBYTES
      case 0x42: {
        // BINBYTES
        const n = op === 0x43 ? u8() : u32();
        if (n > 256) fail("bytes object too long");
        const at = need(n);
        stack.push({ t: "bytes", v: String.fromCharCode(...bytes.subarray(at, at + n)) });
        break;
      }
      case 0x94:
        memo.set(memo.size, stack[stack.length - 1] ?? fail("MEMOIZE on empty stack"));
        break;
      case 0x71:
        memo.set(u8(), stack[stack.length - 1] ?? fail("BINPUT on empty stack"));
        break;
      case 0x72:
        memo.set(u32(), stack[stack.length - 1] ?? fail("LONG_BINPUT on empty stack"));
        break;
      case 0x68:
        stack.push(memoGet(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(memoGet(u32()));
        break; // LONG_BINGET
      case 0x4b:
        stack.push({ t: "int", v: u8() });
        break; // BININT1
      case 0x4d:
        stack.push({ t: "int", v: dv.getUint16(need(2), true) });
        break; // BININT2
      case 0x4a:
        stack.push({ t: "int", v: dv.getInt32(need(4), true) });
        break; // BININT
      case 0x4e:
        stack.push({ t: "none" });
        break; // NONE
      case 0x88:
        stack.push({ t: "bool", v: true });
        break; // NEWTRUE
      case 0x89:
        stack.push({ t: "bool", v: false });
        break; // NEWFALSE
      case 0x29:
        stack.push({ t: "tuple", v: [] });
        break; // EMPTY_TUPLE
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items: PV[] = [];
        for (let i = 0; i < op - 0x84; i++) items.unshift(pop());
        stack.push({ t: "tuple", v: items });
        break;
      }
      case 0x28:
        stack.push({ t: "mark" });
        break; // MARK
      case 0x74:
        stack.push({ t: "tuple", v: popMark() });
        break; // TUPLE
      case 0x5d:
        stack.push({ t: "list", v: [] });
        break; // EMPTY_LIST
      case 0x61: // APPEND
      case 0x65: {
        // APPENDS
        const items = op === 0x61 ? [pop()] : popMark();
        const list = stack[stack.length - 1];
        if (list?.t !== "list") fail("APPEND to a non-list");
        else list.v.push(...items);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push({ t: "object", fn: pop(), args, state: undefined });
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = stack[stack.length - 1];
        if (obj?.t !== "object" || obj.state !== undefined) fail("BUILD on an unexpected object");
        else obj.state = state;
        break;
      }
      case 0x2e: {
        // STOP
        const result = pop();
        if (stack.length !== 0) fail("pickle stack not empty at STOP");
        if (pos !== bytes.length) fail("trailing bytes after the pickle");
        return result;
      }
      default:
        return fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
    if (stack.length > 64 || memo.size > 64) fail("pickle too large for a 0-d object array");
  }
}

/** A structural pattern: literal values, `"*"` for a global check, arrays for tuples. */
function same(v: PV | undefined, want: unknown): boolean {
  if (v === undefined) return false;
  if (want === null) return v.t === "none";
  if (typeof want === "boolean") return v.t === "bool" && v.v === want;
  if (typeof want === "number") return v.t === "int" && v.v === want;
  if (typeof want === "string") return v.t === "str" && v.v === want;
  if (Array.isArray(want))
    return v.t === "tuple" && v.v.length === want.length && want.every((w, i) => same(v.v[i], w));
  return false;
}

function isGlobal(v: PV, modules: readonly string[], name: string): boolean {
  return v.t === "global" && modules.includes(v.module) && v.name === name;
}

/** Check that `pickle` is numpy's pickle of `np.asarray(None)` (numpy 1.x or 2.x); throws `PickleError` if not. */
export function checkNonePickle(pickle: Uint8Array): void {
  const top = unpickle(pickle);
  const bad = (what: string): never => {
    throw new PickleError(`the pickle is not a 0-d object array holding None (${what})`);
  };
  if (top.t !== "object" || !isGlobal(top.fn, ["numpy.core.multiarray", "numpy._core.multiarray"], "_reconstruct")) {
    return bad("not numpy's _reconstruct");
  }
  const a = top.args;
  if (!(a.t === "tuple" && a.v.length === 3 && a.v[0] !== undefined && isGlobal(a.v[0], ["numpy"], "ndarray"))) {
    return bad("not an ndarray");
  }
  if (!same(a.v[1], [0]) || !(a.v[2]?.t === "bytes" && a.v[2].v === "b"))
    return bad("unexpected _reconstruct arguments");
  const s = top.state;
  if (!(s?.t === "tuple" && s.v.length === 5 && same(s.v[0], 1) && same(s.v[1], []) && same(s.v[3], false))) {
    return bad("unexpected array state: not version 1, shape (), C order");
  }
  const d = s.v[2];
  if (!(d?.t === "object" && isGlobal(d.fn, ["numpy"], "dtype") && same(d.args, ["O8", false, true]))) {
    return bad("dtype is not object");
  }
  if (!same(d.state, [3, "|", null, null, null, -1, -1, 63])) return bad("unexpected object dtype state");
  const data = s.v[4];
  if (!(data?.t === "list" && data.v.length === 1 && same(data.v[0], null))) return bad("the element is not None");
}

/** numpy 1.24's pickle (protocol 3) of `np.asarray(None)`, as `np.save` writes it after the header. */
export function nonePickle(): Uint8Array {
  const text =
    "\x80\x03cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\nndarray\nq\x01K\x00\x85q\x02C\x01bq\x03\x87q\x04Rq\x05" +
    "(K\x01)cnumpy\ndtype\nq\x06X\x02\x00\x00\x00O8q\x07\x89\x88\x87q\x08Rq\x09" +
    "(K\x03X\x01\x00\x00\x00|q\x0aNNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tq\x0bb\x89]q\x0cNatq\x0db.";
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
