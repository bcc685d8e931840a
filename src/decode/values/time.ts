// PostgreSQL timestamps and dates, from their ISO-DateStyle text (what wal2json and the backfill's raw reads print when
// the session runs with DateStyle=ISO).
// Invariant: a timestamp becomes milliseconds since the Unix epoch with the microseconds as the fraction,
// computed as (exact microseconds as an integer) / 1000, so it is the float64 nearest to the true value and
// Math.round(ms * 1000) gives the microseconds back whenever they are below 2^53 (years 1685-2255).
// Dates are proleptic Gregorian, as in PostgreSQL, including BC years.

const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?)?( BC)?$/;

const DATE = /^\d{4,}-(\d{2})-(\d{2})( BC)?$/;

/** Days from 1970-01-01 to the given proleptic Gregorian date (astronomical year: 1 BC is year 0). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Milliseconds since the epoch for PostgreSQL timestamp text, ±Infinity for "infinity"/"-infinity", or
 * undefined when the text is not an ISO timestamp of the expected kind (`withZone`: timestamptz text always
 * carries an offset; timestamp text never does).
 */
export function parseTimestamp(text: string, withZone: boolean): number | undefined {
  const fast = canonicalTimestamp(text, withZone);
  return fast === null ? parseTimestampText(text, withZone) : fast;
}

/** parseTimestamp by the regular expression alone: every form PostgreSQL prints (the reference canonicalTimestamp is tested against). */
export function parseTimestampText(text: string, withZone: boolean): number | undefined {
  if (text === "infinity") return Infinity;
  if (text === "-infinity") return -Infinity;
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om, os, bc] = m;
  if ((sign !== undefined) !== withZone) return undefined;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const year = bc ? 1 - Number(y) : Number(y);
  const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0));
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  const fraction = frac === undefined ? 0 : Number(frac.padEnd(6, "0"));
  // Below 2^53 microseconds the float64 sum is the exact integer, as Number() of the BigInt sum would be.
  if (Math.abs(seconds) < 9_000_000_000) return (seconds * 1_000_000 + fraction) / 1000;
  const micros = BigInt(seconds) * 1_000_000n + BigInt(fraction);
  return Number(micros) / 1000;
}

/**
 * The form nearly every value takes, read by character codes without allocating: "YYYY-MM-DD HH:MM:SS", an
 * optional fraction of 1-6 digits, then (timestamptz) a sign and two hour digits ending the text. The value is
 * the regular expression path's, by the same formula; null for anything else (that path decides).
 */
function canonicalTimestamp(text: string, withZone: boolean): number | undefined | null {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x20 || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let i = 19;
  let fraction = 0;
  if (i < n && text.charCodeAt(i) === 0x2e) {
    let k = i + 1;
    while (k < n && k - i <= 6 && isDigit(text.charCodeAt(k))) k++;
    if (k === i + 1 || (k < n && isDigit(text.charCodeAt(k)))) return null;
    fraction = digits(text, i + 1, k) * 10 ** (6 - (k - i - 1));
    i = k;
  }
  let offset = 0;
  if (withZone) {
    if (i + 3 !== n) return null;
    const sign = text.charCodeAt(i);
    const oh = digits(text, i + 1, i + 3);
    if ((sign !== 0x2b && sign !== 0x2d) || oh < 0) return null;
    offset = (sign === 0x2d ? -1 : 1) * oh * 3600;
  } else if (i !== n) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  if (Math.abs(seconds) < 9_000_000_000) return (seconds * 1_000_000 + fraction) / 1000;
  return null;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The decimal number text[from, to) spells, or -1 when a character is not a digit. */
function digits(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** PostgreSQL ISO date text, validated and returned as printed ("2026-11-21", "0044-03-15 BC", "infinity"). */
export function checkDate(text: string): boolean {
  if (text === "infinity" || text === "-infinity") return true;
  const m = DATE.exec(text);
  if (!m) return false;
  const month = Number(m[1]);
  const day = Number(m[2]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
