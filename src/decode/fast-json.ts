// When JSON.parse is exact for a wal2json record. JSON.parse turns every number token into a float64 and forgets
// its text; that loses nothing when the text is exactly String() of that float64, the text every consumer then
// rebuilds (record.ts). Integers of at most 15 digits other than -0 always are; any other token is checked.
// Invariant: every number token that is an object member's value is checked. Outside strings such a token follows
// `"` (the key's closing quote), optional whitespace and `:`. Inside a string `"` is always escaped, so a match
// there is only a harmless false alarm (the record takes the lossless path). Number tokens inside arrays are not
// scanned: wal2json's arrays ("columns", "identity") hold objects, a "value" token that is an array or object is
// refused by decodeWal2jsonValue whatever its numbers, and other fields are never read.

/** A member-value number token that may not survive JSON.parse: a fraction, an exponent, -0, or 16+ digits. */
const SUSPECT = /"[ \t\n\r]*:[ \t\n\r]*(?:-0|-?(?:0|[1-9]\d*)[.eE]|-?[1-9]\d{15})/;
/** Every member-value number token, in full (JSON's grammar). */
const TOKEN = /"[ \t\n\r]*:[ \t\n\r]*(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** True when every object member's number token in `text` (valid JSON) is String() of its float64. */
export function numbersRoundTrip(text: string): boolean {
  if (!SUSPECT.test(text)) return true;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const token = m[1]!;
    if (String(Number(token)) !== token) return false;
  }
  return true;
}
