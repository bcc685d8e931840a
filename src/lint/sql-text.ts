// SQL text assembled from source: literal pieces (with where they sit in the file) and holes (template
// substitutions or concatenated expressions whose value is unknown). Rendering turns holes into
// placeholders the PostgreSQL parser accepts and keeps a map back to file offsets.

export interface Literal {
  text: string;
  /** File offset of the first character of `text`. */
  srcStart: number;
  /** True when the source spells the text character for character (no escapes), so offsets map 1:1. */
  exact: boolean;
}

export interface Hole {
  /** The expression as written, e.g. `table` or `sql(columns)`. */
  expr: string;
  srcStart: number;
  srcEnd: number;
  /**
   * Set for a driver's placeholder written in the SQL text (knex `?` / `??`): the text around it is
   * static, and the placeholder is a bound value or an identifier whatever the rendering style.
   */
  binding?: "value" | "identifier";
}

export type Part = Literal | Hole;

export function isHole(p: Part): p is Hole {
  return "expr" in p;
}

/**
 * `param` renders holes as `$1…$n` (a value position, which is what drivers bind them to);
 * `ident` renders them as identifiers so a hole standing for a table or column name still parses.
 */
export type HoleStyle = "param" | "ident";

const HOLE_IDENT = /__pg2convex_hole_(\d+)__/;

function holeIdent(n: number): string {
  return `__pg2convex_hole_${n}__`;
}

/** The hole whose identifier placeholder appears in `name`, if any. */
export function holeInName(name: string, holes: readonly Hole[]): Hole | undefined {
  const m = HOLE_IDENT.exec(name);
  return m ? holes[Number(m[1]) - 1] : undefined;
}

export interface Rendered {
  text: string;
  holes: Hole[];
  /** File offset for a character offset in `text` (characters of a wrapper prefix map to the start). */
  toSource(offset: number): number;
}

/** True for a hole whose value is spliced into the SQL text at runtime (not a driver's placeholder). */
export function isRuntimeHole(p: Part): p is Hole {
  return isHole(p) && p.binding === undefined;
}

export function render(parts: readonly Part[], style: HoleStyle, prefix = "", suffix = ""): Rendered {
  const spans: { start: number; end: number; part: Part }[] = [];
  const holes: Hole[] = [];
  let text = prefix;
  for (const part of parts) {
    const start = text.length;
    if (isHole(part)) {
      holes.push(part);
      const asIdent = part.binding === undefined ? style === "ident" : part.binding === "identifier";
      text += asIdent ? holeIdent(holes.length) : `$${holes.length}`;
    } else {
      text += part.text;
    }
    spans.push({ start, end: text.length, part });
  }
  text += suffix;
  const origin = parts[0]?.srcStart ?? 0;
  return {
    text,
    holes,
    toSource(offset: number): number {
      for (const s of spans) {
        if (offset < s.start || offset >= s.end) continue;
        if (isHole(s.part)) return s.part.srcStart;
        return s.part.exact ? s.part.srcStart + (offset - s.start) : s.part.srcStart;
      }
      const last = spans[spans.length - 1];
      if (last && offset >= last.end) return isHole(last.part) ? last.part.srcEnd : last.part.srcStart + (last.part.exact ? last.part.text.length : 0);
      return origin;
    },
  };
}
