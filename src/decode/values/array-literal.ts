// PostgreSQL array literal text, as array_out prints it: {a,"b c",NULL,"NULL","x\"y"}, optionally preceded
// by non-default bounds ("[0:1]={1,2}"). Elements are quoted when empty, when they hold a delimiter, brace,
// quote, backslash or whitespace, or when they spell NULL; inside quotes, \ escapes the next character.
// Only unquoted NULL (any case, as array_in reads it) is SQL NULL; "NULL" in quotes is the string.
// Invariant: strict — any text array_out could not have printed is rejected, never guessed at.

/** A one-dimensional array's element texts, or "multidimensional" for {{...},...}. */
export type ArrayLiteral = readonly (string | null)[] | "multidimensional";

const BOUNDS = /^(\[-?\d+:-?\d+\])+=/;

/**
 * Parses array literal text; throws an Error with a position on malformed text. `delim` is the element type's
 * typdelim: "," for every built-in type but box, whose elements hold commas and are separated by ";".
 */
export function parseArrayLiteral(text: string, delim = ","): ArrayLiteral {
  let i = 0;
  const bounds = BOUNDS.exec(text);
  if (bounds) {
    // One "[lo:hi]" per dimension: more than one means a multidimensional array.
    if ((bounds[0].match(/\[/g) ?? []).length > 1) return "multidimensional";
    i = bounds[0].length;
  }
  if (text[i] !== "{") throw new Error(`expected "{" at ${i}`);
  i++;
  const items: (string | null)[] = [];
  if (text[i] === "}") {
    if (i + 1 !== text.length) throw new Error(`unexpected text after "}" at ${i + 1}`);
    return items;
  }
  for (;;) {
    if (text[i] === "{") return "multidimensional";
    let item = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        if (i >= text.length) break;
        item += text[i++];
      }
      if (text[i] !== '"') throw new Error("unterminated quoted element");
      i++;
      items.push(item);
    } else {
      const start = i;
      while (i < text.length && text[i] !== delim && text[i] !== "}") {
        if (text[i] === '"' || text[i] === "{") throw new Error(`unexpected ${text[i]} at ${i}`);
        if (text[i] === "\\") i++;
        if (i < text.length) item += text[i++];
      }
      if (i === start) throw new Error(`empty unquoted element at ${i}`);
      items.push(item.toUpperCase() === "NULL" && !text.slice(start, i).includes("\\") ? null : item);
    }
    if (text[i] === delim) {
      i++;
      continue;
    }
    if (text[i] === "}" && i + 1 === text.length) return items;
    throw new Error(`expected "${delim}" or a final "}" at ${i}`);
  }
}
