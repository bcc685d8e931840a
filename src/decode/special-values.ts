// NaN/±Infinity under wal2json 2.5, which prints them as JSON null, the same as SQL NULL.
// Strategy (docs/type-mapping.md): the values slot (src/postgres/values-slot.ts) decodes the same WAL with
// test_decoding, which prints every value as text. A change is identified in both outputs by its LSN and its
// position among the changes of that LSN; test_decoding's text for each ambiguous column settles it: NaN,
// Infinity or -Infinity, or a proven SQL NULL. This does not depend on the row's live state, on visibility,
// on subtransactions or on how far the bridge lags, so it is exact by construction.
// Invariants:
//   - only a null listed in ambiguousNulls is ever replaced, and only by NaN, Infinity or -Infinity;
//   - a transaction the values slot cannot prove (committed before the slot existed) never becomes a silent
//     null: each such change becomes a SPECIAL_VALUE_UNKNOWN reject naming table, key, column and LSN;
//   - a leading part of a transaction streamed in parts (no end LSN yet) is found by its xid once the window was
//     decoded past its commit LSN; the assembler never cuts a part between changes sharing an LSN, so the
//     position among them is the same as in the whole transaction.
import type { AssembledUnit, RowChange } from "../model/changes";
import type { Key } from "../model/key";
import { formatLsn, maxLsn, type Lsn } from "../model/lsn";
import type { TableSet } from "../definitions/types";
import { Pg2ConvexError } from "../errors";
import { parseTestDecodingChange } from "./test-decoding";
import { decodeText } from "./values";

/** One decoded window of the values slot: candidate lines and how far it decoded. */
export interface ValuesWindow {
  readonly candidates: ReadonlyArray<{ lsn: Lsn; xid: number; n: number; endLsn: Lsn; line: string }>;
  /** End of the last commit decoded (null: none). */
  readonly decodedTo: Lsn | null;
}

export interface SpecialValuesOptions {
  readonly tables: TableSet;
  /** Decodes the values slot from its position through at least the transaction ending at `upto`. */
  readonly peek: (upto: Lsn) => Promise<ValuesWindow>;
  /** Transactions committed at or after this LSN are in the values slot (its position when the bridge started). */
  readonly coversFrom: Lsn;
}

export interface SpecialValues {
  /** The transaction with every ambiguous null settled, or turned into a reject when it cannot be proven. */
  resolve<T extends AssembledUnit>(tx: T): Promise<T>;
  /** Transactions ending at or before `endLsn` are durable in Convex: their entries are not needed again. */
  forget(endLsn: Lsn): void;
}

const SPECIAL = new Set(["NaN", "Infinity", "-Infinity"]);

type Ambiguous = Extract<RowChange, { kind: "insert" | "update" }>;
/** Per transaction (by end LSN): `${lsn}/${n}` → column → special text. */
type TxSpecials = Map<string, { values: Map<string, string> }>;

export function createSpecialValues(opts: SpecialValuesOptions): SpecialValues {
  const defs = new Map(opts.tables.map((t) => [t.name, t]));
  const byTx = new Map<Lsn, { xid: number; changes: TxSpecials }>();
  let decodedTo: Lsn = 0n;
  /** Entries ending at or before it were dropped: a transaction there must be read again, not assumed clean. */
  let forgottenTo: Lsn = 0n;

  const load = async (upto: Lsn) => {
    const window = await opts.peek(upto);
    for (const c of window.candidates) {
      const parsed = parseTestDecodingChange(c.line);
      if (!parsed) continue;
      const values = new Map<string, string>();
      for (const v of parsed.columns) if (v.bare && v.text !== null && SPECIAL.has(v.text)) values.set(v.name, v.text);
      if (values.size === 0) continue; // "NaN" inside a quoted literal, not a special value
      const tx = byTx.get(c.endLsn) ?? byTx.set(c.endLsn, { xid: c.xid, changes: new Map() }).get(c.endLsn)!;
      tx.changes.set(`${c.lsn}/${c.n}`, { values });
    }
    if (window.decodedTo !== null) decodedTo = maxLsn(decodedTo, window.decodedTo);
  };

  return {
    async resolve<T extends AssembledUnit>(tx: T): Promise<T> {
      if (!tx.changes.some((c) => (c.kind === "insert" || c.kind === "update") && c.ambiguousNulls)) return tx;
      if (tx.commitLsn < opts.coversFrom) return { ...tx, changes: tx.changes.flatMap((c) => unprovable(c, tx, opts.coversFrom)) };
      // A leading part has no end LSN yet: decoding through its commit record (at commitLsn) is enough.
      const end = "endLsn" in tx ? tx.endLsn : null;
      const upto = end ?? tx.commitLsn + 1n;
      if (end !== null && end <= forgottenTo) {
        byTx.clear();
        decodedTo = forgottenTo = 0n;
      }
      if (decodedTo < upto) await load(upto);
      if (decodedTo < upto) {
        // The main slot streamed this commit, so its WAL is flushed: the values slot must have decoded it.
        throw new Pg2ConvexError("INTERNAL", `values slot did not decode transaction ${tx.xid} (ends at ${formatLsn(upto)}; decoded to ${formatLsn(decodedTo)})`, {
          context: { lsn: formatLsn(tx.commitLsn), xid: tx.xid },
          fix: "restart pg2convex run; if it recurs, report it with the PostgreSQL log",
        });
      }
      const specials = end !== null ? byTx.get(end) : [...byTx.values()].find((s) => s.xid === tx.xid);
      if (specials && specials.xid !== tx.xid) throw mismatch(tx, `xid ${specials.xid}`);
      const seen = new Map<Lsn, number>();
      const changes = tx.changes.map((c) => {
        if (c.kind === "truncate") return c;
        const n = seen.get(c.lsn) ?? 0;
        seen.set(c.lsn, n + 1);
        if ((c.kind !== "insert" && c.kind !== "update") || !c.ambiguousNulls) return c;
        // LSN and position identify the change exactly; the table is not compared, because test_decoding names
        // a partition where the mirror may name its parent.
        const entry = specials?.changes.get(`${c.lsn}/${n}`);
        const def = defs.get(c.table)!;
        return settle(
          c,
          (name) => entry?.values.get(name),
          (name) => def.columns.find((col) => col.name === name)!,
        );
      });
      return { ...tx, changes };
    },
    forget(endLsn) {
      forgottenTo = maxLsn(forgottenTo, endLsn);
      for (const end of byTx.keys()) if (end <= endLsn) byTx.delete(end);
    },
  };
}

function settle(change: Ambiguous, special: (column: string) => string | undefined, column: (name: string) => Parameters<typeof decodeText>[0]): Ambiguous {
  const row = { ...change.row };
  for (const name of change.ambiguousNulls ?? []) {
    const text = special(name);
    if (text !== undefined) row[name] = decodeText(column(name), text);
    // else: test_decoding printed no special value for it, so the null is SQL NULL.
  }
  const { ambiguousNulls: _settled, ...rest } = change;
  return { ...rest, row } as Ambiguous;
}

/** A change whose nulls cannot be proven: a loud reject (and the move's delete, which needs no value). */
function unprovable(c: RowChange, tx: Pick<AssembledUnit, "commitLsn">, coversFrom: Lsn): RowChange[] {
  if ((c.kind !== "insert" && c.kind !== "update") || !c.ambiguousNulls) return [c];
  const columns = c.ambiguousNulls.join(", ");
  const reason =
    `column(s) ${columns} arrived as null from wal2json 2.5, which prints NaN, Infinity and -Infinity as null too, ` +
    `and the values slot only covers transactions from ${formatLsn(coversFrom)} (this one committed at ${formatLsn(tx.commitLsn)}); ` +
    `re-sync the row from PostgreSQL by key`;
  const reject: RowChange = { kind: "reject", table: c.table, key: c.key as Key, lsn: c.lsn, code: "SPECIAL_VALUE_UNKNOWN", reason };
  return c.kind === "update" && c.oldKey ? [{ kind: "delete", table: c.table, key: c.oldKey, lsn: c.lsn }, reject] : [reject];
}

function mismatch(tx: Pick<AssembledUnit, "xid" | "commitLsn">, what: string): Pg2ConvexError {
  return new Pg2ConvexError("INTERNAL", `values slot and wal2json disagree on transaction ${tx.xid} (${what})`, {
    context: { lsn: formatLsn(tx.commitLsn), xid: tx.xid },
    fix: "restart pg2convex run; if it recurs, report it with the PostgreSQL log",
  });
}
