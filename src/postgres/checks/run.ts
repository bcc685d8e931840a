// runChecks: every start-up and setup check against one connection, all results together.
// Order: definitions (graph), server, plugin probe, then each table as declared.
import type pg from "pg";
import { Pg2ConvexError } from "../../errors";
import { buildGraph } from "../../definitions/graph";
import type { TableSet } from "../../definitions/types";
import { loadCatalog } from "./catalog";
import { columnChecks } from "./columns";
import { referenceChecks } from "./references";
import { leafReplicaIdentity, primaryKey, relationAccess, relationExists, replicaIdentity } from "./relation";
import { loadPartitions } from "../partitions";
import { fail, makeReport, pass, type CheckReport, type CheckResult } from "./report";
import { loadServerFacts, probePlugin, serverChecks, type ServerFacts } from "./server";

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
  results.push(...(await tableChecks(client, tables, facts)).results);
  return makeReport(results);
}

/**
 * The per-table catalog checks alone (no server checks, no probe slot): setup and start-up run them inside
 * runChecks, and `run` repeats them periodically (pipeline/catalog-watch.ts) to see what wal2json does not show.
 */
export async function tableChecks(client: pg.ClientBase, tables: TableSet, facts?: ServerFacts): Promise<CheckReport> {
  const results: CheckResult[] = [];
  const catalog = await loadCatalog(client, tables);
  const partitions = await loadPartitions(client, tables);
  for (const t of tables) {
    const rel = catalog.relations.get(`${t.schema}.${t.name}`);
    const exists = relationExists(t, rel);
    results.push(exists);
    if (!rel || !exists.ok) continue; // one clear failure for a missing table, not a cascade
    if (facts) results.push(...relationAccess(t, rel, facts));
    results.push(...(rel.kind === "p" ? leafReplicaIdentity(t, partitions.get(t.name) ?? []) : [replicaIdentity(t, rel)]), primaryKey(t, rel));
    results.push(...columnChecks(t, rel, catalog.types), ...referenceChecks(t, rel, tables, catalog.relations));
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
