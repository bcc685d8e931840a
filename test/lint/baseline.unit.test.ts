// Baseline semantics: keyed by file and fingerprint with counts, independent of line numbers.
import { beforeAll, describe, expect, it } from "vitest";
import { applyBaseline, buildBaseline } from "../../src/lint/baseline";
import { loadPgParser } from "../../src/lint/pg-parser";
import { lint } from "./helpers";

const code = 'await pool.query("DELETE FROM sessions WHERE id = 1");\nawait pool.query(`SELECT * FROM users`);';

describe("baseline", () => {
  beforeAll(() => loadPgParser());

  it("fingerprints survive moved lines and changed constants and layout", () => {
    const before = lint(code).findings;
    const moved = lint(`\n\n// new code above\nexport const x = 1;\n${code.replace("id = 1", "id  =  42")}`).findings;
    expect(moved.map((f) => f.line)).not.toEqual(before.map((f) => f.line));
    expect(moved.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
    expect(applyBaseline(moved, buildBaseline(before)).fresh).toEqual([]);
  });

  it("a second identical statement exceeds the recorded count", () => {
    const baseline = buildBaseline(lint(code).findings);
    const more = lint(`${code}\nawait pool.query("DELETE FROM sessions WHERE id = 7");`).findings;
    const r = applyBaseline(more, baseline);
    expect(r.fresh.map((f) => f.line)).toEqual([3]);
    expect(r.baselined).toHaveLength(2);
  });

  it("the same statement in another file is new", () => {
    const baseline = buildBaseline(lint(code, "src/a.ts").findings);
    expect(applyBaseline(lint(code, "src/b.ts").findings, baseline).fresh).toHaveLength(2);
  });

  it("counts entries that no longer match as stale", () => {
    const baseline = buildBaseline(lint(code).findings);
    const r = applyBaseline(lint('await pool.query("SELECT * FROM users");').findings, baseline);
    expect(r).toMatchObject({ fresh: [], stale: 1 });
  });

  it("different tables in one statement are different entries", () => {
    const b = buildBaseline(lint('await pool.query("SELECT * FROM users JOIN sessions ON true");').findings);
    expect(b.entries.map((e) => [e.table, e.count])).toEqual(
      expect.arrayContaining([
        ["public.users", 1],
        ["public.sessions", 1],
      ]),
    );
    expect(b.entries).toHaveLength(2);
  });
});
