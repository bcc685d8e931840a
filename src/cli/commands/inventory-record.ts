// `pg2convex inventory --record --tables T…`: the checklist's "PostgreSQL write path removed". Records the
// item for each named table whose inventory has no write site left — and only when no site's tables are
// unresolved (dynamic SQL could write any table). Connection: CONVEX_URL / CONVEX_ADMIN_KEY from the
// environment (as for run). Exit 0 all recorded, 1 some table still has write sites (nothing recorded for it).
import { loadConfig } from "../../config/load";
import { createConvexClient } from "../../convex-client";
import type { Inventory } from "../../lint/inventory";
import { actorOf } from "./control-args";

const matches = (invTable: string, name: string) => invTable === name || invTable.endsWith(`.${name}`) || name.endsWith(`.${invTable}`);

export async function recordWritesRemoved(inv: Inventory, tables: readonly string[], paths: readonly string[], env: Record<string, string | undefined>, out: (t: string) => void, err: (t: string) => void): Promise<number> {
  const { config } = loadConfig([], { DATABASE_URL: "postgres://unused", ...env });
  const client = createConvexClient({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: 2 });
  const unresolved = inv.sites.filter((s) => s.unresolved.length > 0);
  let code = 0;
  for (const name of tables) {
    const writes = inv.tables.filter((t) => matches(t.table, name)).flatMap((t) => t.writes);
    if (writes.length || unresolved.length) {
      code = 1;
      const lines = [...writes.map((w) => `  - ${w.file}:${w.line} ${w.kind}${w.scope ? ` in ${w.scope}` : ""}`), ...unresolved.map((s) => `  - ${s.file}:${s.line} unresolved (${s.unresolved.join(", ")}): could write ${name}`)];
      err(`pg2convex inventory: ${name} still has write sites; "PostgreSQL write path removed" not recorded:\n${lines.join("\n")}\n`);
      continue;
    }
    const reads = inv.tables.filter((t) => matches(t.table, name)).flatMap((t) => t.reads).length;
    const proof = `inventory of ${paths.join(", ")}: ${inv.summary.files} files, ${inv.summary.sites} SQL sites, ${reads} read ${name}, none writes it`;
    const r = await client.mutation<{ phase: string }>("recordChecklist", { table: name, item: "postgresWritesRemoved", proof, actor: actorOf() });
    out(`${name}: "PostgreSQL write path removed" recorded (phase ${r.phase}): ${proof}\n`);
  }
  return code;
}
