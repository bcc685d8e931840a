// Convex's argument and document sizes (convex/values getConvexSize / getDocumentSize), computed without the
// per-object Object.entries and per-long-string TextEncoder allocations of the library's walk.
// Invariant: valueSize(v) === getConvexSize(v) for every value (test/plan/size.unit.test.ts), so the
// DOCUMENT_TOO_LARGE rejects and the batch byte budget decide exactly as before.
import { getConvexSize, type Value } from "convex/values";

/** The library's threshold: longer strings are measured as UTF-8 (lone surrogates as U+FFFD, 3 bytes). */
const UTF8_LENGTH_THRESHOLD = 500;

/** getConvexSize's UTF-8 length: its own loop up to 500 UTF-16 units, the encoder's length beyond. */
export function utf8Length(s: string): number {
  if (s.length > UTF8_LENGTH_THRESHOLD) return Buffer.byteLength(s, "utf8");
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 128) bytes += 1;
    else if (code < 2048) bytes += 2;
    else if (code >= 55296 && code <= 56319) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** getConvexSize(v). */
export function valueSize(v: Value | undefined): number {
  switch (typeof v) {
    case "undefined":
      return 0;
    case "boolean":
      return 1;
    case "bigint":
    case "number":
      return 9;
    case "string":
      return 2 + utf8Length(v);
    case "object": {
      if (v === null) return 1;
      if (Array.isArray(v)) {
        let size = 2;
        for (let i = 0; i < v.length; i++) size += valueSize(v[i]);
        return size;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) break; // ArrayBuffer, and what the library rejects
      let size = 2;
      for (const key in v) {
        if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
        const item = (v as Record<string, Value | undefined>)[key];
        if (item !== undefined) size += utf8Length(key) + 1 + valueSize(item);
      }
      return size;
    }
  }
  return getConvexSize(v as Value);
}
