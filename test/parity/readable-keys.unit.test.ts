// Issue 12 item 9: keys and values that reach people (parity renderings, error lines, reject summaries) print
// int8 as decimal digits and bytes as \x-hex, never Convex's wire form ({"$integer": "AQAAAAAAIAA="}); the JSON
// report keeps the exact wire form and adds the readable keyText.
import { convexToJson, type Value } from "convex/values";
import { describe, expect, it } from "vitest";
import { describeError, describeErrorLine, Pg2ConvexError } from "../../src/errors";
import { formatJsonValue, formatKey } from "../../src/model/key";
import { renderAnnotations, renderJunit, renderMarkdown } from "../../src/parity/render-ci";
import { driftLine, renderText, showKey } from "../../src/parity/render-text";
import type { ParityReport, TableReport } from "../../src/parity/report";
import { keyJson, toJson } from "../../src/parity/values";
import { rejectLines } from "../../src/observability/reject-summary";

const BIG = 9007199254740993n; // 2^53 + 1: not a float64, so a decimal print proves nothing was rounded
const bytes = new Uint8Array([0xde, 0xad]).buffer;
const wire = JSON.stringify(convexToJson(BIG));

function report(key: Value[]): ParityReport {
  const table: TableReport = {
    table: "orders",
    convexTable: "orders",
    verdict: "drift",
    counts: { postgres: 1, convex: 1, status: "equal" },
    rows: { checked: 1, drift: [{ kind: "mismatch", key: keyJson(key), columns: ["total"], postgres: { total: toJson(BIG) }, convex: { total: toJson(1n) } }], driftTotal: 1, inFlight: 0 },
    invariants: { checked: 1, drift: [{ kind: "derived", key: keyJson(key), field: "n", expected: toJson(2n), actual: toJson(3n) }], driftTotal: 1, inFlight: 0, unresolvedReferences: 0 },
    source: { checked: 1, drift: [{ field: "n", definition: "count(x by y)", key: keyJson(key), stored: "1", expected: "2" }], driftTotal: 1 },
    durationMs: 1,
    stats: {},
  };
  return {
    kind: "pg2convex.parity",
    version: 1,
    runId: "r",
    mode: "full",
    sample: null,
    slot: "s",
    startedAt: "",
    finishedAt: "",
    durationMs: 1,
    lag: { startLsn: "0/1", caughtUp: true, waitedMs: 0, mirrorLsn: "0/1", streaming: true },
    verdict: "drift",
    totals: { tables: 1, driftTables: 1, rowDrift: 1, invariantDrift: 1, inFlight: 0, sourceDrift: 1 },
    recorded: false,
    tables: [table],
    outcome: { exitCode: 1, failing: ["drift"], failOnSourceDrift: false },
  };
}

const noWireForm = (text: string) => {
  expect(text).not.toContain("$integer");
  expect(text).not.toContain("$bytes");
};

describe("readable keys", () => {
  it("formatKey and formatJsonValue print int8 as decimal digits and bytes as \\x-hex", () => {
    expect(formatKey([BIG])).toBe("9007199254740993");
    expect(formatKey([BIG, "a", bytes])).toBe('(9007199254740993, "a", \\xdead)');
    expect(formatJsonValue(convexToJson(BIG))).toBe("9007199254740993");
    expect(formatJsonValue(convexToJson({ a: [BIG, NaN, -0] }))).toBe('{"a": [9007199254740993, NaN, -0]}');
    expect(formatJsonValue({ $weird: 1 })).toBe('{"$weird":1}'); // not Convex JSON: shown as it is
  });

  it("parity renderings (text, markdown, JUnit, annotations) show keys and values in decimal", () => {
    const r = report([BIG, "x"]);
    expect(showKey(keyJson([BIG]))).toBe("9007199254740993");
    expect(driftLine("orders", r.tables[0]!.rows.drift[0]!)).toBe('orders (9007199254740993, "x"): differs in total — total: 9007199254740993 in PostgreSQL, 1 in Convex');
    for (const text of [renderText(r), renderMarkdown(r), renderJunit(r), renderAnnotations(r)]) {
      noWireForm(text);
      expect(text).toContain("9007199254740993");
    }
  });

  it("error lines print a key context as formatKey does", () => {
    const e = new Pg2ConvexError("DECODE_FAILED", "bad value", { context: { table: "orders", key: [BIG, bytes], lsn: "0/1" } });
    for (const text of [describeError(e), describeErrorLine(e)]) {
      noWireForm(text);
      expect(text).toContain("key=(9007199254740993, \\xdead)");
    }
    expect(wire).toContain("$integer"); // what the wire form would have printed
  });

  it("the reject summary of status shows the key it was given, formatted", () => {
    const lines = rejectLines({ unresolved: 1, recent: [{ table: "orders", key: formatKey([BIG]), lsn: "0/1", code: "DECODE_FAILED", reason: "r", at: "2026-01-01T00:00:00.000Z" }] });
    noWireForm(lines.join("\n"));
    expect(lines[1]).toContain("orders 9007199254740993  lsn 0/1");
  });
});
