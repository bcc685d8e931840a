// Issue 12 item 4: parity's PostgreSQL side reads the same text the stream carries, so a streamed char(n)
// (padding kept), inet (no /32) or bool-as-text row hashes equal to its PostgreSQL row, not as drift.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDecoder } from "../../src/decode";
import type { Row } from "../../src/model/changes";
import { hashRow } from "../../src/mirror-functions/parity/row-hash";
import { comparedColumns } from "../../src/mirror-functions/wire/parity-protocol";
import { PgTable } from "../../src/parity/pg-side";
import { column as c, createSourceDb, tableDef, type SourceDb } from "../decode/support";

const def = tableDef("padded", ["id"], [c("id", "int4", { nullable: false }), c("code", "text"), c("net", "pgtext", { pgType: "inet" }), c("flag", "pgtext", { pgType: "boolean" }), c("codes", "text", { array: true })]);
let src: SourceDb;

beforeAll(async () => {
  src = await createSourceDb("par_text");
  await src.sql("CREATE TABLE padded (id int PRIMARY KEY, code character(6), net inet, flag bool, codes character(3)[])");
  await src.changes();
});
afterAll(async () => src?.drop());

it("hashes a streamed row equal to the PostgreSQL row parity reads", async () => {
  await src.sql("INSERT INTO padded VALUES (1, 'ab', '10.0.0.1', true, '{a,NULL}'), (2, NULL, '::1', false, '{}')");
  const decoder = createDecoder([def]);
  const streamed: Row[] = [];
  for (const m of await src.changes()) {
    const e = decoder.decode(m);
    if (e.type === "change" && e.change.kind === "insert") streamed.push(e.change.row);
  }
  const pg = [];
  for await (const r of (await PgTable.open(src.client, def)).scan({ lo: null, hi: null })) pg.push(r);
  expect(pg.map((r) => r.row)).toEqual([
    { id: 1, code: "ab    ", net: "10.0.0.1", flag: "t", codes: ["a  ", null] },
    { id: 2, code: null, net: "::1", flag: "f", codes: [] },
  ]);
  expect(pg.map((r) => r.row)).toEqual(streamed);
  const columns = comparedColumns(def);
  expect(pg.map((r) => r.hash)).toEqual(streamed.map((row) => hashRow(row as never, columns)));
});
