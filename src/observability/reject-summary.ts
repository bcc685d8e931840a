// Rejects as `pg2convex status` shows them: how many are unresolved (open, see mirror-functions/apply/rejects.ts)
// and the most recent few, with readable keys and LSNs.
import type { ConvexClient } from "../convex-client";
import { formatKey } from "../model/key";
import { formatLsn } from "../model/lsn";

export interface RejectSummary {
  unresolved: number;
  /** Most recent first. */
  recent: Array<{ table: string; key: string; lsn: string; code: string; reason: string; at: string }>;
}

interface RejectDoc {
  table: string;
  key: unknown[];
  ver: bigint;
  code: string;
  reason: string;
  at: number;
}

const COUNT_PAGE = 1_000;

export async function readRejectSummary(client: ConvexClient, recent = 5): Promise<RejectSummary> {
  type Page = { page: RejectDoc[]; continueCursor: string; isDone: boolean };
  const latest = await client.query<Page>("listRejects", { open: true, order: "desc", numItems: recent });
  let unresolved = 0;
  for (let cursor: string | null = null; ;) {
    const page: Page = await client.query<Page>("listRejects", { open: true, cursor, numItems: COUNT_PAGE });
    unresolved += page.page.length;
    if (page.isDone) break;
    cursor = page.continueCursor;
  }
  return {
    unresolved,
    recent: latest.page.map((r) => ({ table: r.table, key: formatKey(r.key), lsn: formatLsn(r.ver), code: r.code, reason: r.reason, at: new Date(r.at).toISOString() })),
  };
}

export function rejectLines(s: RejectSummary): string[] {
  if (s.unresolved === 0) return ["rejects: none unresolved"];
  const lines = [`rejects: ${s.unresolved} unresolved (rows Convex does not hold as PostgreSQL has them; each resolves when a newer version of its row is applied)`];
  for (const r of s.recent) lines.push(`  ${r.at}  ${r.table} ${r.key}  lsn ${r.lsn}  ${r.code}: ${r.reason}`);
  if (s.unresolved > s.recent.length) lines.push(`  … and ${s.unresolved - s.recent.length} more`);
  return lines;
}
