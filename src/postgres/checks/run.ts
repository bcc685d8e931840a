// runChecks: every start-up and setup check against one connection, all results together.
// Order: definitions (graph), server, plugin probe, then each table as declared.
import type pg from "pg";
import { Pg2ConvexError } from "../../errors";
import { buildGraph } from "../../definitions/graph";
import type { TableSet } from "../../definitions/types";
import { loadCatalog } from "./catalog";
import { columnChecks } from "./columns";
import { referenceChecks } from "./references";
import { primaryKey, relationAccess, relationExists, replicaIdentity } from "./relation";
import { fail, makeReport, pass, type CheckReport, type CheckResult } from "./report";
import { loadServerFacts, probePlugin, serverChecks } from "./server";

export interface CheckOptions {
  /** The mirror's slot name: when that slot exists already, no free slot is needed. */
  slot?: string;
  /** Output plugin to probe. Always wal2json in production; tests name a missing one. */
  plugin?: string;
  /** Limit on creating the probe slot, which waits for running transactions (default 15 s). */
  probeTimeoutMs?: number;
}

/** The client must be idle (not inside a transaction); the probe runs its own. */
export async function runChecks(client: pg.ClientBase, tables: TableSet, opts: CheckOptions = {}): Promise<CheckReport> {
  const results: CheckResult[] = [graphCheck(tables)];
  const facts = await loadServerFacts(client, opts.slot);
  results.push(...serverChecks(facts));
  results.push(await probePlugin(client, facts, opts.plugin ?? "wal2json", opts.probeTimeoutMs ?? 15_000));
  const catalog = await loadCatalog(client, tables);
  for (const t of tables) {
    const rel = catalog.relations.get(`${t.schema}.${t.name}`);
    const exists = relationExists(t, rel);
    results.push(exists);
    if (!rel || !exists.ok) continue; // one clear failure for a missing table, not a cascade
    results.push(...relationAccess(t, rel, facts), replicaIdentity(t, rel), primaryKey(t, rel));
    results.push(...columnChecks(t, rel, catalog.types), ...referenceChecks(t, rel, tables));
  }
  return makeReport(results);
}

function graphCheck(tables: TableSet): CheckResult {
  try {
    const g = buildGraph(tables);
    return pass("graph", undefined, `${g.order.length} tables, acyclic: ${g.order.map((t) => t.name).join(" → ")}`);
  } catch (e) {
    if (!(e instanceof Pg2ConvexError)) throw e;
    return fail("graph", undefined, e.message, e.fix ?? "correct the table definitions listed above");
  }
}
