// One wal2json format-version-2 record (include-xids, include-timestamp, include-lsn on), parsed exactly.
// Invariant: every number token keeps its exact text. JSON.parse is used when that loses nothing (fast-json.ts
// proves each object member's number token is String() of its float64); otherwise lossless-json parses the
// record and its numbers stay LosslessNumbers (a bare int8 beyond 2^53, a numeric like 1.50, 1e400, -0).
// Consumers turn a JS number token into text with String(n), which is then that exact text.
import { isLosslessNumber, parse } from "lossless-json";
import { numbersRoundTrip } from "./fast-json";
import { parseLsn, type Lsn } from "../model/lsn";
import { parseTimestamp } from "./values/time";
import { decodeFailed } from "./failure";

/** One entry of "columns" or "identity": wal2json's column name, type name (format_type) and value token. */
export interface RawColumn {
  readonly name: string;
  readonly type: string;
  readonly value: unknown;
}

const SETTINGS_FIX = "read the slot with format-version=2, include-xids=1, include-timestamp=1, include-lsn=1";

/**
 * False when a column's "value" is an array or object (wal2json never writes one): its numbers were not scanned
 * (fast-json.ts), so the record takes the lossless path and the error names the value as it always did.
 */
const COLUMN_FIELDS = ["columns", "identity"] as const;

function scalarValues(raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null) return true;
  for (const field of COLUMN_FIELDS) {
    const cols = (raw as Record<string, unknown>)[field];
    if (!Array.isArray(cols)) continue;
    for (const c of cols) if (typeof c === "object" && c !== null && typeof c.value === "object" && c.value !== null) return false;
  }
  return true;
}

export class Wal2jsonRecord {
  private constructor(
    private readonly raw: Record<string, unknown>,
    /** Position of the message in the stream: every error names it. */
    readonly at: Lsn,
  ) {}

  /** `lossless`: skip the JSON.parse fast path (the reference path the fast one is tested against). */
  static parse(text: string, at: Lsn, lossless = false): Wal2jsonRecord {
    let raw: unknown;
    if (!lossless) {
      try {
        raw = JSON.parse(text);
      } catch {
        // Invalid for JSON.parse: lossless-json decides (and words the error as it always did).
      }
      if (raw !== undefined && numbersRoundTrip(text) && scalarValues(raw)) return Wal2jsonRecord.checked(raw, at);
    }
    try {
      raw = parse(text);
    } catch (e) {
      throw decodeFailed(`wal2json record is not valid JSON: ${(e as Error).message}`, { lsn: at }, { cause: e });
    }
    return Wal2jsonRecord.checked(raw, at);
  }

  private static checked(raw: unknown, at: Lsn): Wal2jsonRecord {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw decodeFailed("wal2json record is not a JSON object", { lsn: at });
    return new Wal2jsonRecord(raw as Record<string, unknown>, at);
  }

  get action(): string {
    return this.string("action");
  }

  /** "schema.table" for messages naming a table, for error context. */
  get qualifiedTable(): string {
    return `${this.string("schema")}.${this.string("table")}`;
  }

  string(field: string): string {
    const v = this.raw[field];
    if (typeof v !== "string") throw this.missing(field, "a string");
    return v;
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  /** A JSON boolean field; false when absent. */
  flag(field: string): boolean {
    return this.raw[field] === true;
  }

  xid(): number {
    const v = this.raw.xid;
    const n = typeof v === "number" ? v : isLosslessNumber(v) ? Number(v.value) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw this.missing("xid", "a transaction id");
    return n;
  }

  lsn(field: string): Lsn {
    try {
      return parseLsn(this.string(field));
    } catch (e) {
      throw decodeFailed(`wal2json "${field}" is not an LSN`, { lsn: this.at }, { cause: e, fix: SETTINGS_FIX });
    }
  }

  time(field: string): Date {
    const ms = parseTimestamp(this.string(field), true);
    if (ms === undefined || !Number.isFinite(ms)) throw this.missing(field, "an ISO timestamp with time zone (DateStyle=ISO)");
    return new Date(ms);
  }

  columns(field: "columns" | "identity"): readonly RawColumn[] | undefined {
    const v = this.raw[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw this.missing(field, "an array");
    for (const c of v) {
      if (typeof c !== "object" || c === null || typeof c.name !== "string" || !("value" in c)) {
        throw this.missing(field, "an array of {name, type, value}");
      }
    }
    return v as RawColumn[];
  }

  private missing(field: string, what: string) {
    return decodeFailed(`wal2json "${this.raw.action}" record: "${field}" is not ${what}`, { lsn: this.at }, { fix: SETTINGS_FIX });
  }
}
