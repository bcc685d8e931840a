// The definitions a deployment was built with, in one canonical form, and its hash. The mirror functions serve
// them (`definitions` query) from the TableSet they were deployed with; `run` compares them with its own at
// start-up and refuses to stream into a deployment built from other definitions (DEFINITIONS_MISMATCH), naming
// the first differences. Invariant: equal definitions give byte-identical canonical text whatever order tables,
// references or excluded columns were declared in (column order is kept: it is the document's field order).
// Derived fields are left out, and tables only the deployment defines are allowed: `--tables` narrows the bridge
// to some tables (dropping derived fields whose source is left out) of the deployment's definitions.
import type { TableSet } from "../definitions/types";
import { fnv1a64, hashHex } from "./parity/row-hash";

export interface CanonicalTable {
  readonly name: string;
  readonly text: string;
  readonly columns: Readonly<Record<string, string>>;
}

export interface DeployedDefinitions {
  readonly hash: string;
  readonly tables: readonly CanonicalTable[];
}

export function canonicalDefinitions(tables: TableSet): DeployedDefinitions {
  const out = [...tables]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t): CanonicalTable => {
      const columns = Object.fromEntries(t.columns.map((c) => [c.name, JSON.stringify([c.type, c.array ?? false, c.nullable, c.enumValues ?? null, (c as { pgType?: string }).pgType ?? null])]));
      const refs = [...t.references].sort((a, b) => (a.column < b.column ? -1 : 1)).map((r) => [r.column, r.table, r.field, r.ordering !== false]);
      const text = JSON.stringify({ schema: t.schema, name: t.name, convexName: t.convexName, primaryKey: t.primaryKey, columns: t.columns.map((c) => [c.name, columns[c.name]]), refs, excluded: [...(t.excluded ?? [])].sort() });
      return { name: t.name, text, columns };
    });
  return { hash: hashHex(fnv1a64(out.map((t) => t.text).join("\n"))), tables: out };
}

/** Human-readable differences, bridge's view first ("here") then the deployment's; empty when equal. */
export function diffDefinitions(here: DeployedDefinitions, deployed: DeployedDefinitions): string[] {
  if (here.hash === deployed.hash) return [];
  const problems: string[] = [];
  const theirs = new Map(deployed.tables.map((t) => [t.name, t]));
  for (const t of here.tables) {
    const d = theirs.get(t.name);
    theirs.delete(t.name);
    if (!d) {
      problems.push(`table ${t.name} is in the bridge's definitions but not in the deployment's`);
      continue;
    }
    if (d.text === t.text) continue;
    const cols = new Set([...Object.keys(t.columns), ...Object.keys(d.columns)]);
    const before = problems.length;
    for (const c of cols) {
      const a = t.columns[c];
      const b = d.columns[c];
      if (a === b) continue;
      if (!b) problems.push(`${t.name}.${c} is defined in the bridge but not in the deployment`);
      else if (!a) problems.push(`${t.name}.${c} is defined in the deployment but not in the bridge`);
      else problems.push(`${t.name}.${c} differs: bridge ${a}, deployment ${b}`);
    }
    if (problems.length === before) problems.push(`table ${t.name} differs (schema, Convex name, primary key, references or excluded columns)`);
  }
  return problems;
}
