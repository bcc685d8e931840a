// The canonical row hash, computed identically by the parity checker (Node, on PostgreSQL rows decoded
// through the type mapping) and by the parity queries (inside Convex, on mirrored documents). Pure JS,
// no Node imports: Convex bundles this file.
//
// Canonical encoding (injective: every token is self-delimiting):
//   undefined "u" · null "n" · true "t" · false "f" · number "d<String(x)>;" (-0 as "d-0;", NaN and
//   ±Infinity as String prints them) · bigint "i<decimal>;" · string JSON.stringify(s) · bytes "x<hex>;" ·
//   array "[a,b]" · object "{<JSON key>:<value>,…}" with keys sorted (so jsonb key order never matters).
// NULL and a missing field differ on purpose: a document lacking a column is drift. The type mapping already
// fixed every other choice (int8 → bigint, numeric → PostgreSQL's text, timestamps → ms, bytea → bytes), so
// equal PostgreSQL values give equal Convex values give equal encodings.
//
// Hash: 64-bit FNV-1a over the encoding's UTF-8 bytes (lone surrogates as their 3-byte WTF-8 form), in
// four 16-bit limbs so it needs neither BigInt nor Math.imul overflow tricks. A range hash is the sum of its
// rows' hashes modulo 2^64: order-independent, so both sides may visit a range in any order, and a row
// present twice does not cancel out (unlike XOR).
import type { Value } from "convex/values";

export function encodeValue(v: Value | undefined): string {
  if (v === undefined) return "u";
  if (v === null) return "n";
  switch (typeof v) {
    case "boolean":
      return v ? "t" : "f";
    case "number":
      return `d${Object.is(v, -0) ? "-0" : String(v)};`;
    case "bigint":
      return `i${v.toString()};`;
    case "string":
      return JSON.stringify(v);
  }
  if (v instanceof ArrayBuffer) return `x${hexOfBytes(v)};`;
  if (Array.isArray(v)) return `[${v.map(encodeValue).join(",")}]`;
  const o = v as Record<string, Value | undefined>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${encodeValue(o[k])}`)
    .join(",")}}`;
}

const prefixes = new WeakMap<readonly string[], Array<[string, string]>>();

/** The encoding of a row restricted to `columns` (a missing column encodes as undefined). */
export function encodeRow(row: Readonly<Record<string, Value | undefined>>, columns: readonly string[]): string {
  let cols = prefixes.get(columns);
  if (!cols) prefixes.set(columns, (cols = [...columns].sort().map((k) => [k, `${JSON.stringify(k)}:`])));
  let out = "{";
  for (let i = 0; i < cols.length; i++) out += (i ? "," : "") + cols[i]![1] + encodeValue(row[cols[i]![0]]);
  return out + "}";
}

function hexOfBytes(b: ArrayBuffer): string {
  let s = "";
  for (const byte of new Uint8Array(b)) s += (byte < 16 ? "0" : "") + byte.toString(16);
  return s;
}

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface Hash64 {
  hi: number;
  lo: number;
}

/** FNV-1a 64 of the UTF-8 bytes of `text`; `bytes` is the UTF-8 length (the parity queries' read budget). */
export function fnv1a64(text: string): Hash64 & { bytes: number } {
  // Offset basis 0xcbf29ce484222325 as 16-bit limbs, least significant first. The state lives in plain
  // locals (no closure), which keeps V8 from boxing it: this loop is the hot path of every parity scan.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  let bytes = 0;
  const buf = [0, 0, 0, 0];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let n: number;
    if (c < 0x80) {
      buf[0] = c;
      n = 1;
    } else if (c < 0x800) {
      buf[0] = 0xc0 | (c >>> 6);
      buf[1] = 0x80 | (c & 0x3f);
      n = 2;
    } else {
      const d = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        buf[0] = 0xf0 | (c >>> 18);
        buf[1] = 0x80 | ((c >>> 12) & 0x3f);
        buf[2] = 0x80 | ((c >>> 6) & 0x3f);
        buf[3] = 0x80 | (c & 0x3f);
        n = 4;
      } else {
        // BMP character, or a lone surrogate as its 3-byte WTF-8 form (so the encoding stays injective).
        buf[0] = 0xe0 | (c >>> 12);
        buf[1] = 0x80 | ((c >>> 6) & 0x3f);
        buf[2] = 0x80 | (c & 0x3f);
        n = 3;
      }
    }
    for (let k = 0; k < n; k++) {
      h0 ^= buf[k]!;
      // × 0x100000001b3 (limbs 0x01b3, 0, 0x0100, 0) modulo 2^64
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
      h3 = t3 & 0xffff;
    }
    bytes += n;
  }
  return { hi: h3 * 0x10000 + h2, lo: h1 * 0x10000 + h0, bytes };
}

export function hashRow(row: Readonly<Record<string, Value | undefined>>, columns: readonly string[]): Hash64 & { bytes: number } {
  return fnv1a64(encodeRow(row, columns));
}

export const hashHex = (h: Hash64): string => h.hi.toString(16).padStart(8, "0") + h.lo.toString(16).padStart(8, "0");

const TWO32 = 0x1_0000_0000;

/** Sum of row hashes modulo 2^64, with a count: the hash of a range. */
export class RangeSum {
  count = 0;
  private hi = 0;
  private lo = 0;
  add(h: Hash64): void {
    this.count++;
    this.lo += h.lo;
    this.hi += h.hi;
    // Normalise well before the float64 mantissa (2^53) could lose a carry.
    if (this.lo >= 2 ** 52 || this.hi >= 2 ** 52) this.normalise();
  }
  /** Adds another range's sum (hex) and count. */
  merge(hex: string, count: number): void {
    this.count += count;
    this.hi += parseInt(hex.slice(0, 8), 16);
    this.lo += parseInt(hex.slice(8, 16), 16);
    this.normalise();
  }
  hex(): string {
    this.normalise();
    return hashHex({ hi: this.hi, lo: this.lo });
  }
  private normalise(): void {
    const carry = Math.floor(this.lo / TWO32);
    this.lo -= carry * TWO32;
    this.hi = (this.hi + carry) % TWO32;
  }
}
