// What Convex can store natively. A value outside these limits is not dropped or altered: the decoder
// stores PostgreSQL's text for it instead (see wrapped.ts). Sources: convex/src/values/value.ts
// (validateObjectField), docs.convex.dev/database/types, and the backend's crates/value
// (MAX_ARRAY_LEN 8192, MAX_OBJECT_FIELDS 1024, MAX_FIELD_NAME_LENGTH 1024, MAX_DOCUMENT_NESTING 16).

/** Longest array Convex stores. */
export const MAX_ARRAY_ITEMS = 8_192;

/** Most fields one Convex object may have. */
export const MAX_OBJECT_FIELDS = 1_024;

/** Longest Convex field name. */
export const MAX_FIELD_NAME_LENGTH = 1_024;

/**
 * Deepest nesting of a column value. A document nests at most 16 levels and is itself level 1, so a
 * field's value may nest 15 (a scalar is 0, `[]` is 1, `[{}]` is 2). Array columns spend one level
 * on the array, leaving 14 for each json/jsonb element.
 */
export const MAX_FIELD_NESTING = 15;

/**
 * A key Convex accepts in a nested object: non-empty, at most 1,024 printable ASCII characters, not
 * starting with "$" (reserved for Convex's encoding) nor "_" (system fields; the documented rule, and
 * older backends reject nested "_" fields).
 */
export function isStorableFieldName(k: string): boolean {
  if (k.length === 0 || k.length > MAX_FIELD_NAME_LENGTH) return false;
  if (k.startsWith("$") || k.startsWith("_")) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Convex strings are valid Unicode: a lone UTF-16 surrogate (possible only via a json `\ud800` escape) is not. */
export const isWellFormedString = (s: string): boolean => !/\p{Cs}/u.test(s);
