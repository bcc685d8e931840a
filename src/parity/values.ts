// Values in reports: Convex's JSON form (exact for bigint, bytes and special floats), long ones shortened.
import { convexToJson, type Value } from "convex/values";
import type { JsonValue } from "./report";

export const toJson = (v: Value | undefined): JsonValue => (v === undefined ? null : (convexToJson(v) as JsonValue));

export const keyJson = (key: readonly Value[]): JsonValue[] => key.map((v) => toJson(v));

/** A value for a report line: strings over `max` characters (and large structures) are cut with "…(N chars)". */
export function shortJson(v: Value | undefined, max = 200): JsonValue {
  const j = toJson(v);
  const text = typeof j === "string" ? j : JSON.stringify(j);
  if (text.length <= max) return j;
  return `${text.slice(0, max)}…(${text.length} chars)`;
}
