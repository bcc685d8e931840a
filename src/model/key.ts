// Primary keys as people read them in logs and `status`: `900012`, `"fr"`, `(3, "a")`. int8 values print
// as their decimal digits (not Convex's `{"$integer": …}` wire form), bytes as \x-hex like PostgreSQL.
// Pure: the Convex functions use it too.
export function formatKey(key: readonly unknown[]): string {
  const parts = key.map(formatValue);
  return parts.length === 1 ? parts[0]! : `(${parts.join(", ")})`;
}

function formatValue(v: unknown): string {
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof ArrayBuffer) return `\\x${[...new Uint8Array(v)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}
