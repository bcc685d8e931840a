// knex's placeholders in the text of a `raw` call, made parseable: `?` is a bound value and `??` an
// identifier (a column or table chosen at runtime), `\?` a literal question mark (the jsonb operator);
// with an object of bindings, `:name` is a value and `:name:` an identifier, for the object's keys
// only (so `x::int` stays a cast). This follows knex's own replacement (lib/formatter/rawFormatter.js
// and the pg client's positionBindings), which also ignores quotes.
import { isHole, type Hole, type Literal, type Part } from "./sql-text";

const POSITIONAL = /\\?\?\??/g;
const NAMED = /\\?(:(\w+):(?=::)|:(\w+):(?!:)|:(\w+))/g;

/** `named`: the keys of an object literal passed as the bindings, when it is one. */
export function knexParts(parts: readonly Part[], named: ReadonlySet<string> | undefined): Part[] {
  let out: Part[] = [...parts];
  if (named) {
    out = out.flatMap((p) =>
      isHole(p)
        ? [p]
        : split(p, NAMED, (m, at) => {
            if (m.startsWith("\\")) return literalAt(p, at + 1, m.slice(1));
            const key = /\w+/.exec(m)![0];
            if (!named.has(key)) return undefined;
            return holeAt(p, at, m, m.endsWith(":") ? "identifier" : "value");
          }),
    );
  }
  return out.flatMap((p) => (isHole(p) ? [p] : split(p, POSITIONAL, (m, at) => (m.startsWith("\\") ? literalAt(p, at + 1, "?") : holeAt(p, at, m, m === "??" ? "identifier" : "value")))));
}

/** Splits a literal at the matches of `re`; `replace` returns the part standing for a match, or undefined to keep it. */
function split(lit: Literal, re: RegExp, replace: (match: string, at: number) => Part | undefined): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of lit.text.matchAll(re)) {
    const part = replace(m[0], m.index);
    if (!part) continue;
    if (m.index > last) out.push(literalAt(lit, last, lit.text.slice(last, m.index)));
    out.push(part);
    last = m.index + m[0].length;
  }
  if (last === 0) return [lit];
  if (last < lit.text.length) out.push(literalAt(lit, last, lit.text.slice(last)));
  return out;
}

function srcAt(lit: Literal, at: number): number {
  return lit.exact ? lit.srcStart + at : lit.srcStart;
}

function literalAt(lit: Literal, at: number, text: string): Literal {
  return { text, srcStart: srcAt(lit, at), exact: lit.exact };
}

function holeAt(lit: Literal, at: number, text: string, binding: "value" | "identifier"): Hole {
  const start = srcAt(lit, at);
  return { expr: text, srcStart: start, srcEnd: lit.exact ? start + text.length : start, binding };
}
