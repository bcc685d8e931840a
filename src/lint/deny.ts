// Which table a relation reference means, and whether a name list (deny-list, --tables) covers it.
//
// Resolution rule (the lint has no catalog): an unqualified reference means the table in the FIRST
// schema of the search path, which is what PostgreSQL picks whenever that schema has such a table.
// A qualified entry `s.t` covers exactly `s.t`; an unqualified entry `t` covers `t` in every schema on
// the search path, so `users` with search path `public` does not cover `auth.users`.
import { formatQualifiedName, type QualifiedName } from "./identifiers";

export interface ResolvedTable {
  schema: string;
  name: string;
  /** Display form, quoted where PostgreSQL needs quotes: `public."Users"`. */
  display: string;
}

export class TableNames {
  private readonly qualified = new Set<string>();
  private readonly anySchema = new Set<string>();

  constructor(
    entries: readonly QualifiedName[],
    private readonly searchPath: readonly string[],
  ) {
    // Keys join with NUL, which cannot appear in a PostgreSQL identifier.
    for (const e of entries) {
      if (e.schema === undefined) this.anySchema.add(e.name);
      else this.qualified.add(`${e.schema}\0${e.name}`);
    }
  }

  resolve(ref: { schema?: string; name: string }): ResolvedTable {
    const schema = ref.schema ?? this.searchPath[0]!;
    return { schema, name: ref.name, display: formatQualifiedName({ schema, name: ref.name }) };
  }

  /** True when the list names the table `ref` resolves to. */
  covers(ref: { schema?: string; name: string }): boolean {
    const t = this.resolve(ref);
    if (this.qualified.has(`${t.schema}\0${t.name}`)) return true;
    return this.anySchema.has(t.name) && this.searchPath.includes(t.schema);
  }

  /** True when some schema could make `name` a listed table (used when the schema is dynamic). */
  mayCover(name: string): boolean {
    if (this.anySchema.has(name)) return true;
    for (const k of this.qualified) if (k.endsWith(`\0${name}`)) return true;
    return false;
  }
}
