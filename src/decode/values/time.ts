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

/** PostgreSQL ISO date text, validated and returned as printed ("2026-11-21", "0044-03-15 BC", "infinity"). */
export function checkDate(text: string): boolean {
  if (text === "infinity" || text === "-infinity") return true;
  const m = DATE.exec(text);
  if (!m) return false;
  const month = Number(m[1]);
  const day = Number(m[2]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
