// `pg2convex demo`: the main job end to end on an embedded default — a throwaway PostgreSQL with wal2json,
// the local Convex stand-in, the reference schema with a few thousand rows, a backfill, then live edits,
// each shown arriving in Convex with the course fields recomputed.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startCluster } from "../../devtools/pg-cluster";
import { startLocalConvex } from "../../local-convex";
import { seedReference, DEMO_SIZE } from "../../reference/seed";
import { referenceTables } from "../../../tables/reference";
import { configSchema } from "../../config/schema";
import { createLogger } from "../../log";
import { startMirror } from "../../pipeline/mirror";
import { createMirrorReader } from "../../convex-client";
import { renderCounts } from "./status";

const say = (s: string) => console.log(s);
const convexDir = fileURLToPath(new URL("../../../convex", import.meta.url));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    say("usage: pg2convex demo\n\nRuns the whole mirror on a throwaway PostgreSQL and the local Convex stand-in, then exits.");
    return 0;
  }
  const started = Date.now();
  say("pg2convex demo — PostgreSQL (wal2json) → Convex mirror\n");
  say("1. starting a throwaway PostgreSQL 15 cluster with wal_level=logical …");
  const cluster = await startCluster();
  const adminKey = `demo|${randomBytes(24).toString("hex")}`;
  const convex = await startLocalConvex({ convexDir, adminKey, port: 0 });
  let mirror: Awaited<ReturnType<typeof startMirror>> | undefined;
  // Both clients get an 'error' listener: the throwaway cluster stops under them in `finally`, and a lost
  // session without one is an uncaught exception. A query on a lost client still rejects.
  const admin = new pg.Client(cluster.url());
  admin.on("error", () => undefined);
  const db = new pg.Client(cluster.url("demo"));
  db.on("error", () => undefined);
  try {
    await admin.connect();
    await admin.query("CREATE DATABASE demo");
    await db.connect();
    say(`   local Convex stand-in (convex-test, in memory) at ${convex.url}`);
    say("2. loading the reference schema and realistic data …");
    const seeded = await seedReference(db, DEMO_SIZE);
    const total = Object.entries(seeded)
      .filter(([t]) => t !== "users")
      .reduce((a, [, n]) => a + n, 0);
    say(`   ${total.toLocaleString("en-US")} rows in 10 app tables (+ ${seeded.users} legacy users, never mirrored)`);

    const config = configSchema.parse({ databaseUrl: cluster.url("demo"), convexUrl: convex.url, convexAdminKey: adminKey, slot: "pg2convex_demo", metricsPort: 0, logLevel: "warn" });
    const logger = createLogger({ level: "warn", secrets: [adminKey] });
    say("3. pg2convex run: creating the slot, backfilling from its exported snapshot …");
    const t0 = Date.now();
    mirror = await startMirror({ config, tables: referenceTables, logger });
    say(`   backfill done in ${((Date.now() - t0) / 1000).toFixed(1)} s; now streaming from the slot\n`);
    const reader = createMirrorReader({ url: convex.url, adminKey });
    const course = async (id: number) => (await reader.getByKeys("course", [[id]]))[0] as Record<string, unknown> | null;
    const courseLine = (c: Record<string, unknown> | null) =>
      c ? `course ${c.id}: count=${c.count} todo_count=${c.todo_count} learning_language_name=${JSON.stringify(c.learning_language_name)} from_language_name=${JSON.stringify(c.from_language_name)}` : "(no course)";

    say("4. live edits in PostgreSQL, each followed until it is visible in Convex:");
    // a. publish a story
    const s1 = (await db.query("SELECT id, course_id FROM story WHERE public = false AND deleted = false ORDER BY id LIMIT 1")).rows[0];
    const before = await course(s1.course_id);
    say(`\n   a) publish story ${s1.id}   (before) ${courseLine(before)}`);
    await db.query("UPDATE story SET public = true WHERE id = $1", [s1.id]);
    const after = await waitFor("published story", async () => {
      const c = await course(s1.course_id);
      return c && c.count === Number(before?.count) + 1 ? c : undefined;
    });
    say(`                        (after)  ${courseLine(after)}`);

    // b. rename a language
    const lang = (await db.query("SELECT l.id, l.name FROM language l JOIN course c ON c.learning_language = l.id ORDER BY l.id LIMIT 1")).rows[0];
    const newName = `${lang.name} (renamed)`;
    say(`\n   b) rename language ${lang.id} "${lang.name}" → "${newName}"`);
    await db.query("UPDATE language SET name = $1 WHERE id = $2", [newName, lang.id]);
    const ids = (await db.query("SELECT id FROM course WHERE learning_language = $1 OR from_language = $1 ORDER BY id", [lang.id])).rows.map((r) => r.id as number);
    for (const id of ids) {
      const c = await waitFor("renamed language", async () => {
        const c = await course(id);
        return c && (c.learning_language_name === newName || c.from_language_name === newName) ? c : undefined;
      });
      say(`      ${courseLine(c)}`);
    }

    // c. move a story to another course
    const s2 = (await db.query("SELECT id, course_id, todo_count FROM story WHERE public AND NOT deleted AND todo_count > 0 ORDER BY id LIMIT 1")).rows[0];
    const target = s2.course_id === 1 ? 2 : 1;
    const [fromBefore, toBefore] = [await course(s2.course_id), await course(target)];
    say(`\n   c) move story ${s2.id} (public, todo_count=${s2.todo_count}) from course ${s2.course_id} to course ${target}`);
    await db.query("UPDATE story SET course_id = $1 WHERE id = $2", [target, s2.id]);
    const toAfter = await waitFor("moved story", async () => {
      const c = await course(target);
      return c && c.count === Number(toBefore?.count) + 1 ? c : undefined;
    });
    say(`      from: ${courseLine(fromBefore)}  →  ${courseLine(await course(s2.course_id))}`);
    say(`      to:   ${courseLine(toBefore)}  →  ${courseLine(toAfter)}`);

    // d. delete a story with its approvals (ON DELETE CASCADE)
    const s3 = (await db.query("SELECT s.id, s.course_id, count(a.id)::int AS approvals FROM story s JOIN story_approval a ON a.story_id = s.id GROUP BY s.id ORDER BY count(a.id) DESC, s.id LIMIT 1")).rows[0];
    const approvalKeys = (await db.query("SELECT id FROM story_approval WHERE story_id = $1", [s3.id])).rows.map((r) => [r.id as number]);
    const inConvex = async () => (await reader.getByKeys("story_approval", approvalKeys)).filter((d) => d !== null).length;
    const courseBefore = await course(s3.course_id);
    say(`\n   d) delete story ${s3.id} with its ${s3.approvals} approvals (ON DELETE CASCADE); in Convex now: ${await inConvex()} approvals`);
    say(`      (before) ${courseLine(courseBefore)}`);
    await db.query("DELETE FROM story WHERE id = $1", [s3.id]);
    await waitFor("deleted story", async () => ((await reader.getByKeys("story", [[s3.id]]))[0] === null ? true : undefined));
    say(`      (after)  ${courseLine(await course(s3.course_id))}; story ${s3.id} and ${approvalKeys.length - (await inConvex())} of its approvals gone from Convex`);

    // Every edit above was awaited until visible, so the mirror has caught up with PostgreSQL here.
    const rows = [];
    for (const t of referenceTables) {
      const pgCount = Number((await db.query(`SELECT count(*) AS n FROM ${t.name}`)).rows[0].n);
      rows.push({ table: t.name, postgres: pgCount, convex: await reader.countRows(t.convexName) });
    }
    say(`\n5. PostgreSQL vs Convex, per table:\n${renderCounts(rows)}`);
    await db.end();
    const ok = rows.every((r) => r.postgres === r.convex);
    say(`\n${ok ? "mirror converged" : "MIRROR DIVERGED"} — demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return ok ? 0 : 1;
  } finally {
    await mirror?.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await admin.end().catch(() => undefined);
    await convex.close();
    await cluster.stop();
  }
}
