// Turns drifted keys into report entries: for a mismatch, the columns whose canonical encodings differ and
// both sides' values (shortened). Only drifted keys' documents are fetched from Convex.
import type { Value } from "convex/values";
import { comparedColumns } from "../mirror-functions/wire/parity-protocol";
import { encodeValue } from "../mirror-functions/parity/row-hash";
import type { TableDef } from "../definitions/types";
import type { ConvexParity } from "./convex-side";
import type { RecheckResult } from "./recheck";
import type { RowDrift } from "./report";
import { formatKey } from "../model/key";
import { keyJson, shortJson } from "./values";

/** At most this many drifted rows are listed per table; the rest are counted. */
export const MAX_LISTED = 500;

export async function describeDrift(def: TableDef, convex: ConvexParity, drift: RecheckResult["drift"]): Promise<RowDrift[]> {
  const listed = drift.slice(0, MAX_LISTED);
  const mismatched = listed.filter((d) => d.kind === "mismatch");
  const docs = await convex.docs(
    def.convexName,
    mismatched.map((d) => d.key),
  );
  const docOf = new Map(mismatched.map((d, i) => [d.id, docs[i] ?? null]));
  const columns = comparedColumns(def);
  return listed.map((d): RowDrift => {
    const base: RowDrift = { kind: d.kind === "reordered" ? "mismatch" : d.kind, key: keyJson(d.key), keyText: formatKey(d.key) };
    const notes = [d.note, d.pg?.undecodable && `PostgreSQL row not decodable (the mirror records it as a reject): ${d.pg.undecodable}`].filter(Boolean);
    if (notes.length) base.note = notes.join("; ");
    const doc = docOf.get(d.id);
    if (d.kind !== "mismatch" || !d.pg || !doc) return base;
    const differing = columns.filter((c) => encodeValue(d.pg!.row[c]) !== encodeValue(doc[c] as Value | undefined));
    return {
      ...base,
      columns: differing,
      postgres: Object.fromEntries(differing.map((c) => [c, shortJson(d.pg!.row[c])])),
      convex: Object.fromEntries(differing.map((c) => [c, shortJson(doc[c] as Value | undefined)])),
    };
  });
}
