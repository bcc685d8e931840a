// Token ends for the .sql statement splitter (sql-script.ts), by PostgreSQL's lexical rules: an
// unterminated quote, dollar quote or comment runs to the end of the text, as it does for psql.

export const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
export const IDENT_CHAR = /[\w$\u0080-\uffff]/;

/** The word ending right before `i` ("" if none): `E` there makes '…' an escape string. */
export function wordBefore(text: string, i: number): string {
  let j = i;
  while (j > 0 && IDENT_CHAR.test(text[j - 1]!)) j--;
  return text.slice(j, i);
}

export function lineEnd(text: string, i: number): number {
  const nl = text.indexOf("\n", i);
  return nl < 0 ? text.length : nl;
}

export function commentEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    if (text.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (text.startsWith("*/", i)) {
      i += 2;
      if (--depth === 0) return i;
    } else i++;
  }
  return text.length;
}

/** End of a '…' or "…" token (doubled quotes escape; in E'…' so does a backslash); EOF if unterminated. */
export function quoteEnd(text: string, i: number, backslashes: boolean): number {
  const q = text[i]!;
  for (let j = i + 1; j < text.length; j++) {
    if (backslashes && text[j] === "\\") j++;
    else if (text[j] === q) {
      if (text[j + 1] === q) j++;
      else return j + 1;
    }
  }
  return text.length;
}

/** `$tag$` or `$$` at `i` (not a `$1` parameter), or undefined. */
export function dollarTag(text: string, i: number): string | undefined {
  return /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64))?.[0];
}

export function dollarEnd(text: string, i: number, tag: string): number {
  const close = text.indexOf(tag, i + tag.length);
  return close < 0 ? text.length : close + tag.length;
}
