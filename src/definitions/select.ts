// Chooses the mirrored tables: a definitions module (default: the built-in reference schema), optionally
// narrowed to a list. Narrowing keeps the engine honest: a reference to a table left out becomes a raw
// key, and a derived field whose source table is left out is dropped (reported, not silently kept).
import { Pg2ConvexError } from "../errors";
import { importUserModule } from "./import-module";
import type { TableDef, TableSet } from "./types";

export async function loadTableSet(modulePath: string | undefined): Promise<TableSet> {
  if (!modulePath) return (await import("../../tables/reference")).referenceTables;
  const mod = (await importUserModule(modulePath)) as { tables?: TableSet; default?: TableSet };
  const tables = mod.tables ?? mod.default;
  if (!Array.isArray(tables)) {
    throw new Pg2ConvexError("CONFIG_INVALID", `${modulePath} exports no table definitions`, {
      fix: "export `tables` (an array built with defineTable) from the module",
    });
  }
  return tables;
}

export interface Selection {
  tables: TableSet;
  /** Human-readable notes about references and derived fields the narrowing dropped. */
  notes: string[];
}

export function selectTables(all: TableSet, names: readonly string[]): Selection {
  if (names.length === 0) return { tables: all, notes: [] };
  const known = new Set(all.map((t) => t.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Pg2ConvexError("CONFIG_INVALID", `unknown tables in --tables: ${unknown.join(", ")}`, {
      context: { unknown, known: [...known] },
      fix: `choose from: ${[...known].join(", ")}`,
    });
  }
  const chosen = new Set(names);
  const notes: string[] = [];
  const tables = all
    .filter((t) => chosen.has(t.name))
    .map((t): TableDef => {
      const derived = t.derived.filter((d) => {
        const source = d.kind === "lookup" ? t.references.find((r) => r.column === d.via)?.table : d.from;
        const keep = source !== undefined && chosen.has(source);
        if (!keep) notes.push(`${t.name}.${d.field}: not derived (its source table ${source} is not mirrored)`);
        return keep;
      });
      return { ...t, derived };
    });
  return { tables, notes };
}
