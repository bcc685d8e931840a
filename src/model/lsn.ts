// PostgreSQL LSNs as bigint: exact over the whole 64-bit range and totally ordered with < and >.
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`not a PostgreSQL LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export const ZERO_LSN: Lsn = 0n;

export const maxLsn = (a: Lsn, b: Lsn): Lsn => (a > b ? a : b);
export const minLsn = (a: Lsn, b: Lsn): Lsn => (a < b ? a : b);
