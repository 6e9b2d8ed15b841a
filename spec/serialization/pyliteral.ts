/**
 * A reader for the subset of Python literal syntax (`ast.literal_eval`) that an `.npy` header can
 * meaningfully hold: dicts, tuples, lists, strings, integers, `True`, `False`, `None`.
 *
 * Anything else — floats, bytes, sets, expressions, unbalanced brackets, nesting deeper than
 * `MAX_DEPTH` — is refused: no `.npy` header numpy accepts contains it. Duplicate dict keys,
 * which Python would silently collapse, are refused too.
 */

export type PyValue =
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "int"; readonly v: bigint }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "none" }
  | { readonly t: "tuple" | "list"; readonly v: readonly PyValue[] }
  | { readonly t: "dict"; readonly v: ReadonlyMap<string, PyValue> };

export class PyLiteralError extends Error {}

const MAX_DEPTH = 32;

/**
 * Parse `text` as one Python literal, with whitespace and comments around it.
 * `longSuffix`: accept Python 2's `123L` integers (numpy does for version 1.0 and 2.0 headers).
 */
export function parsePyLiteral(text: string, longSuffix: boolean): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${pos}`);
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text[pos] as string;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") pos++;
      else if (c === "#") {
        while (pos < text.length && text[pos] !== "\n") pos++;
      } else break;
    }
  };
  const parseString = (): PyValue => {
    const quote = text[pos++] as string;
    let out = "";
    for (;;) {
      if (pos >= text.length) return fail("unterminated string");
      const c = text[pos++] as string;
      if (c === quote) return { t: "str", v: out };
      if (c === "\n") return fail("newline in string");
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[pos++];
      const simple: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "\t", r: "\r", "0": "\0" };
      if (e !== undefined && e in simple) out += simple[e] as string;
      else if (e === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(pos, pos + 2))) {
        out += String.fromCharCode(parseInt(text.slice(pos, pos + 2), 16));
        pos += 2;
      } else return fail("unsupported escape in string");
    }
  };
  const parseInt_ = (): PyValue => {
    let sign = 1n;
    if (text[pos] === "-" || text[pos] === "+") {
      if (text[pos] === "-") sign = -1n;
      pos++;
      skipWs();
    }
    const m = /^(0+|[1-9](?:_?[0-9])*)/.exec(text.slice(pos, pos + 400));
    if (m === null) return fail("expected a digit");
    pos += m[0].length;
    if (longSuffix && (text[pos] === "L" || text[pos] === "l")) pos++;
    if (/^[0-9A-Za-z_.]/.test(text[pos] ?? "")) return fail("unsupported number syntax");
    return { t: "int", v: sign * BigInt(m[0].replace(/_/g, "")) };
  };
  /** Items up to `close`, and whether a comma followed the last one. */
  const parseSeq = (close: string, depth: number): { items: PyValue[]; comma: boolean } => {
    const items: PyValue[] = [];
    let comma = false;
    for (;;) {
      skipWs();
      if (text[pos] === close) {
        pos++;
        return { items, comma };
      }
      if (items.length > 0 && !comma) return fail(`expected ',' or '${close}'`);
      items.push(parseValue(depth + 1));
      skipWs();
      comma = text[pos] === ",";
      if (comma) pos++;
    }
  };
  const parseDict = (depth: number): PyValue => {
    const map = new Map<string, PyValue>();
    let comma = true;
    for (;;) {
      skipWs();
      if (text[pos] === "}") {
        pos++;
        return { t: "dict", v: map };
      }
      if (!comma) return fail("expected ',' or '}'");
      const keyAt = pos;
      const key = parseValue(depth + 1);
      if (key.t !== "str") return fail("dict key is not a string");
      if (map.has(key.v)) {
        pos = keyAt;
        return fail(`duplicate dict key ${JSON.stringify(key.v)}`);
      }
      skipWs();
      if (text[pos] !== ":") return fail("expected ':'");
      pos++;
      map.set(key.v, parseValue(depth + 1));
      skipWs();
      comma = text[pos] === ",";
      if (comma) pos++;
    }
  };
  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) return fail("literal nested too deeply");
    skipWs();
    const c = text[pos];
    if (c === undefined) return fail("unexpected end of text");
    if (c === "'" || c === '"') return parseString();
    if (c === "{") {
      pos++;
      return parseDict(depth);
    }
    if (c === "[") {
      pos++;
      return { t: "list", v: parseSeq("]", depth).items };
    }
    if (c === "(") {
      pos++;
      const { items, comma } = parseSeq(")", depth);
      // `(x)` is just x; `(x,)`, `()` and `(x, y)` are tuples.
      if (items.length === 1 && !comma) return items[0] as PyValue;
      return { t: "tuple", v: items };
    }
    if (c === "-" || c === "+" || (c >= "0" && c <= "9")) return parseInt_();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos, pos + 64))?.[0];
    if (word === "True" || word === "False" || word === "None") {
      pos += word.length;
      return word === "None" ? { t: "none" } : { t: "bool", v: word === "True" };
    }
    return fail("unsupported literal syntax");
  };
  const value = parseValue(0);
  skipWs();
  if (pos !== text.length) fail("unexpected text after the literal");
  return value;
}

/** Python's `repr` of a tuple of non-negative ints: `()`, `(3,)`, `(2, 3)`. */
export function reprIntTuple(xs: readonly number[]): string {
  if (xs.length === 1) return `(${xs[0]},)`;
  return `(${xs.join(", ")})`;
}
