// A .sql file is one SQL site covering the whole file; its offsets are file offsets.
import type { Part } from "./sql-text";

/** The file as SQL parts, or undefined when it holds nothing but whitespace. */
export function sqlFileParts(text: string): Part[] | undefined {
  // A byte-order mark is not SQL; skipping it keeps offsets aligned with the file.
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.slice(start).trim() === "") return undefined;
  return [{ text: text.slice(start), srcStart: start, exact: true }];
}
