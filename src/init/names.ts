// Names in generated code: globs for table selection, JavaScript identifiers and property keys, Convex names.

/** Matches names against globs (`*` any run, `?` one character); a glob without wildcards is a plain name. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  const res = globs.map(
    (g) =>
      new RegExp(
        `^${g
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
      ),
  );
  return (name) => res.some((r) => r.test(name));
}

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined NaN Infinity".split(
    " ",
  ),
);
/** Names the generated module itself declares or imports. */
const TAKEN = new Set(["col", "defineTable", "derived", "tables", "initOptions", "TableSet"]);

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key: bare when it is an identifier, otherwise a string literal. */
export const propKey = (name: string): string => (IDENT.test(name) ? name : JSON.stringify(name));

/** Property access on an object: `o.name` or `o["odd name"]`. */
export const propAccess = (object: string, name: string): string => (IDENT.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`);

/** Distinct `const` names for the tables, in input order. */
export function constNames(tables: readonly string[]): string[] {
  const used = new Set<string>();
  return tables.map((t) => {
    let base = t.replace(/[^A-Za-z0-9_$]/g, "_");
    if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
    if (RESERVED.has(base) || TAKEN.has(base)) base = `${base}_table`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  });
}

/** Convex table names are identifiers not starting with `_`; anything else gets a sanitized name. */
export function convexTableName(table: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(table)) return undefined;
  const s = table.replace(/[^A-Za-z0-9_]/g, "_").replace(/^[^A-Za-z]+/, "");
  return s === "" ? `t_${Buffer.from(table).toString("hex")}` : s;
}
