// The write-site inventory: every SQL site with the tables it reads, writes and changes, regrouped by
// table ("which endpoints write public.users?"). Sites whose SQL could not be resolved are listed on
// their own: they may touch any table, and an inventory that hid them would overstate its coverage.
import type { TableNames } from "./deny";
import type { AnalyzedSite } from "./engine";
import type { LintRun } from "./run";
import type { Access } from "./types";

export interface SiteUse {
  file: string;
  line: number;
  scope: string;
  kind: string;
}

export interface InventorySite {
  file: string;
  line: number;
  column: number;
  origin: AnalyzedSite["origin"];
  callee: string;
  scope: string;
  kinds: string[];
  reads: string[];
  writes: string[];
  ddl: string[];
  unresolved: string[];
}

export interface InventoryTable {
  table: string;
  writes: SiteUse[];
  reads: SiteUse[];
  ddl: SiteUse[];
}

export interface Inventory {
  version: 1;
  tool: "pg2convex-inventory";
  summary: { files: number; sites: number; tables: number; unresolvedSites: number };
  tables: InventoryTable[];
  sites: InventorySite[];
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

/** A .sql file is one lint site but many inventory sites: one per top-level statement (bodies stay with theirs). */
function perStatement(site: AnalyzedSite): AnalyzedSite[] {
  if (site.origin !== "sql-file" || site.statements.length === 0) return [site];
  const groups: AnalyzedSite[] = [];
  for (const st of site.statements) {
    const last = groups[groups.length - 1];
    if (st.within && last) last.statements.push(st);
    else groups.push({ ...site, line: st.line, column: 1, statements: [st], unresolved: [] });
  }
  if (groups[0]) groups[0].unresolved = site.unresolved;
  return groups;
}

/** `filter` (from --tables) keeps only those tables and the sites touching them; unresolved sites always stay. */
export function buildInventory(run: LintRun, filter?: TableNames): Inventory {
  const tables = new Map<string, InventoryTable>();
  const sites: InventorySite[] = [];
  for (const site of run.files.flatMap((f) => f.sites.flatMap(perStatement))) {
    const touched: Record<Access, string[]> = { read: [], write: [], ddl: [] };
    for (const st of site.statements) {
      for (const r of st.relations) {
        if (r.dynamic !== undefined || r.name === undefined) continue;
        if (filter && !filter.covers({ schema: r.schema, name: r.name })) continue;
        touched[r.access].push(r.table);
        const t = tables.get(r.table) ?? { table: r.table, writes: [], reads: [], ddl: [] };
        tables.set(r.table, t);
        const list = r.access === "write" ? t.writes : r.access === "read" ? t.reads : t.ddl;
        if (!list.some((u) => u.file === site.file && u.line === st.line && u.kind === st.kind)) list.push({ file: site.file, line: st.line, scope: site.scope, kind: st.kind });
      }
    }
    const unresolved = [...site.unresolved, ...site.statements.flatMap((st) => st.relations.filter((r) => r.dynamic !== undefined).map((r) => `table name from \${${r.dynamic}}`))];
    const relevant = touched.read.length + touched.write.length + touched.ddl.length > 0 || unresolved.length > 0 || !filter;
    if (!relevant) continue;
    sites.push({
      file: site.file,
      line: site.line,
      column: site.column,
      origin: site.origin,
      callee: site.callee,
      scope: site.scope,
      kinds: uniq(site.statements.map((s) => s.kind)),
      reads: uniq(touched.read),
      writes: uniq(touched.write),
      ddl: uniq(touched.ddl),
      unresolved,
    });
  }
  const sorted = [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));
  return {
    version: 1,
    tool: "pg2convex-inventory",
    summary: { files: run.fileCount, sites: sites.length, tables: sorted.length, unresolvedSites: sites.filter((s) => s.unresolved.length > 0).length },
    tables: sorted,
    sites,
  };
}
