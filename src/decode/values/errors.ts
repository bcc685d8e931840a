// Value errors carry only the column: decodeText is shared by the stream, the backfill and the parity
// checker, and each caller adds the table, key and LSN it knows (see ../row.ts).
import { Pg2ConvexError } from "../../errors";
import type { ColumnDef } from "../../definitions/types";

const MAX_SHOWN = 120;

/** The offending text, quoted and shortened so a 1 MB value does not flood the log. */
export function showText(text: string): string {
  const shown = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} chars)` : text;
  return JSON.stringify(shown);
}

export function valueError(column: ColumnDef, message: string, fix?: string): Pg2ConvexError {
  return new Pg2ConvexError("DECODE_FAILED", `column "${column.name}" (${column.type}${column.array ? "[]" : ""}): ${message}`, {
    context: { column: column.name },
    ...(fix === undefined ? {} : { fix }),
  });
}
