// PostgreSQL identifier rules for names written in options (deny-list, search path, --tables):
// unquoted identifiers fold to lower case (ASCII letters only, as PostgreSQL does in UTF-8 databases),
// double-quoted identifiers keep their exact spelling and `""` inside them is one quote.

export interface QualifiedName {
  schema?: string;
  name: string;
}

export type NameParse = { ok: true; value: QualifiedName } | { ok: false; error: string };

/** Splits `a.b` / `"A"."b"` into folded identifier parts, or explains why it is not a valid name. */
export function parseIdentifierChain(input: string): { ok: true; parts: string[] } | { ok: false; error: string } {
  const parts: string[] = [];
  let i = 0;
  const text = input.trim();
  if (text === "") return { ok: false, error: "empty name" };
  for (;;) {
    if (text[i] === '"') {
      let part = "";
      i++;
      for (;;) {
        if (i >= text.length) return { ok: false, error: `unterminated quoted identifier in ${input}` };
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      if (part === "") return { ok: false, error: `zero-length quoted identifier in ${input}` };
      parts.push(part);
    } else {
      const start = i;
      while (i < text.length && text[i] !== "." && text[i] !== '"') i++;
      const raw = text.slice(start, i);
      if (!/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(raw)) return { ok: false, error: `"${raw}" is not a valid identifier in ${input} (quote it: "${raw}")` };
      parts.push(raw.replace(/[A-Z]+/g, (s) => s.toLowerCase()));
    }
    if (i === text.length) return { ok: true, parts };
    if (text[i] !== ".") return { ok: false, error: `unexpected ${text[i]} in ${input}` };
    i++;
  }
}

/** A table name as `table` or `schema.table`. */
export function parseQualifiedName(input: string): NameParse {
  const chain = parseIdentifierChain(input);
  if (!chain.ok) return chain;
  const [a, b, ...rest] = chain.parts;
  if (rest.length > 0) return { ok: false, error: `${input} has too many parts (write table or schema.table)` };
  return { ok: true, value: b === undefined ? { name: a! } : { schema: a!, name: b } };
}

/** A single identifier such as a schema on the search path. */
export function parseIdentifier(input: string): { ok: true; value: string } | { ok: false; error: string } {
  const chain = parseIdentifierChain(input);
  if (!chain.ok) return chain;
  if (chain.parts.length !== 1) return { ok: false, error: `${input} must be a single identifier` };
  return { ok: true, value: chain.parts[0]! };
}

/** Renders a folded identifier back as SQL: bare when PostgreSQL would fold it to itself, quoted otherwise. */
export function quoteIdentifier(id: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(id) ? id : `"${id.replace(/"/g, '""')}"`;
}

export function formatQualifiedName(q: QualifiedName): string {
  return q.schema === undefined ? quoteIdentifier(q.name) : `${quoteIdentifier(q.schema)}.${quoteIdentifier(q.name)}`;
}
