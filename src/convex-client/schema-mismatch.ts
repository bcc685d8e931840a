// Convex refusing a value because the deployed functions' validators (argument validators or the schema) do not
// match what the bridge sends: the table definitions changed and the Convex functions were not redeployed. The
// backend names the table and the failing path ("in table "story" … Path: .name"; arguments: ".ops[3].t"); where
// a message lacks them, the batch's ops still know which tables they carry and which field held the value.
import { convexToJson, type Value } from "convex/values";
import { Pg2ConvexError } from "../errors";
import type { Op } from "../mirror-functions/wire/protocol";

const VALIDATOR_MESSAGE = /Validator error|does not match the schema|ArgumentValidationError|does not match validator|is missing the required field|contains extra field|Missing required field|Unexpected field/i;

export const SCHEMA_MISMATCH_FIX =
  "redeploy the Convex functions built from the current table definitions (`npx convex deploy`; for the local stand-in restart `pg2convex local-convex` with --convex-dir pointing at them), then start pg2convex again: the checkpoint did not move";

export function isValidatorError(message: string): boolean {
  return VALIDATOR_MESSAGE.test(message);
}

/** Table and field a validator message is about: from the message itself, else derived from the batch. */
export function locateMismatch(message: string, ops: readonly Op[] = []): { table?: string; field?: string } {
  const path = /^\s*Path:\s*(\S+)/m.exec(message)?.[1];
  let table = /in table "([^"]+)"/.exec(message)?.[1];
  let field: string | undefined;
  // Argument paths start at the mutation's arguments: .ops[3].d.name → op 3's table, field name; any other
  // part of an op (.ops[3].partial) is the wire protocol, not a column.
  const op = path === undefined ? null : /^\.ops\[(\d+)\](.*)$/.exec(path);
  if (op) {
    const target = ops[Number(op[1])];
    if (target && "t" in target) table ??= target.t;
    field = /^\.d\.([^.[]+)/.exec(op[2] ?? "")?.[1];
  } else {
    if (path) field = /^\.([^.[]+)/.exec(path)?.[1];
    field ??= /(?:required field|extra field|Missing required field|Unexpected field) `?([A-Za-z_][A-Za-z0-9_]*)`?/.exec(message)?.[1];
  }
  const upserts = ops.filter((o): o is Extract<Op, { o: "upsert" }> => o.o === "upsert");
  if (!table) {
    // A missing field is absent from the refused row, an extra one present; otherwise any upserted table.
    const missing = /required field/i.test(message);
    const carries = (o: Extract<Op, { o: "upsert" }>) => field === undefined || field in (o.d as object) !== missing;
    const tables = new Set(upserts.filter(carries).map((o) => o.t));
    if (tables.size === 1) table = [...tables][0];
  }
  if (!field && table)
    field = fieldHolding(
      message,
      upserts.filter((o) => o.t === table),
    );
  return { ...(table ? { table } : {}), ...(field ? { field } : {}) };
}

/** The one field whose value is the message's "got `…`" value, if exactly one field of the table's rows holds it. */
function fieldHolding(message: string, upserts: readonly Extract<Op, { o: "upsert" }>[]): string | undefined {
  const got = /got `(.*)`\s*$/m.exec(message)?.[1];
  if (got === undefined) return undefined;
  const fields = new Set<string>();
  for (const op of upserts) {
    for (const [name, value] of Object.entries(op.d as Record<string, Value>)) {
      if (value === undefined) continue;
      const json = JSON.stringify(convexToJson(value));
      if (json === got || String(value) === got) fields.add(name);
    }
  }
  return fields.size === 1 ? [...fields][0] : undefined;
}

export function schemaMismatchError(message: string, ops: readonly Op[] | undefined, context: Record<string, unknown>, cause: unknown): Pg2ConvexError {
  const { table, field } = locateMismatch(message, ops);
  const where = table ? ` for table "${table}"${field ? `, field "${field}"` : ""}` : field ? ` for field "${field}"` : "";
  // The validator's own words: its first line, and the backend's Value/Validator lines clipped (an "Object:"
  // line dumps a whole document and is left out).
  const body = message.replace(/^[\s\S]*?(?:does not match the schema: |ArgumentValidationError: )/, "").replace(/^[\s\S]*?Validator error: /, "");
  const clip = (t: string) => (t.length > 80 ? `${t.slice(0, 80)}…` : t);
  const value = /^Value: (.*)$/m.exec(body)?.[1];
  const validator = /^Validator: (.*)$/m.exec(body)?.[1];
  const detail = [clip(body.split("\n")[0]!), value && `value ${clip(value)}`, validator && `validator ${clip(validator)}`].filter(Boolean).join("; ");
  return new Pg2ConvexError("CONVEX_SCHEMA_MISMATCH", `the deployed Convex functions refused a value${where}: they do not match the current table definitions (${detail})`, {
    context: { ...context, ...(table ? { table } : {}), ...(field ? { column: field } : {}) },
    cause,
    fix: SCHEMA_MISMATCH_FIX,
  });
}
