// Gathers the dashboard's data on each request: the migration state through the existing control queries
// (migrationStatus, listRejects, parityRuns; internal, read with the sidecar's own deploy key) and the
// sidecar's in-process state. Only named fields are copied out of what Convex returns, so whatever else a
// document holds never reaches the page. A Convex failure leaves the page up, with the error shown.
import type { ConvexClient } from "../../convex-client";
import { describeErrorLine } from "../../errors";
import { formatKey } from "../../model/key";
import type { MigrationRow } from "../../mirror-functions/control/status";
import type { ParityRunEntry } from "../../mirror-functions/control/parity-runs";
import type { DashboardData, DashboardSource, DeadLetterView, SidecarView, TableView } from "./types";

export interface DashboardSourceOptions {
  /** A client without retries: a dashboard request must answer, not wait out an outage. */
  client: ConvexClient;
  tables: string[];
  slot: string;
  gateDays: number;
  maxLagSeconds: number;
  sidecar: () => Promise<SidecarView>;
  /** Per table, default 10 events, 5 dead letters, 50 parity runs. */
  events?: number;
  deadLetters?: number;
  parityRuns?: number;
}

type RejectDoc = { _id: string; table: string; key: unknown[]; code: string; reason: string; at: number };

export function createDashboardSource(opts: DashboardSourceOptions): DashboardSource {
  const gateMs = opts.gateDays * 86_400_000;
  const recentDeadLetters = async (table: string): Promise<DeadLetterView[]> => {
    // listRejects filters the open ones by table after the index: ask for more than shown.
    const page = await opts.client.query<{ page: RejectDoc[] }>("listRejects", { table, open: true, order: "desc", cursor: null, numItems: 50 });
    return page.page.slice(0, opts.deadLetters ?? 5).map((r) => ({ id: String(r._id), at: r.at, key: formatKey(r.key), code: r.code, reason: r.reason }));
  };
  return {
    async load(): Promise<DashboardData> {
      const base = { generatedAt: Date.now(), slot: opts.slot, gateDays: opts.gateDays, maxLagSeconds: opts.maxLagSeconds, sidecar: await opts.sidecar() };
      try {
        const [status, parity, dead] = await Promise.all([
          opts.client.query<{ heartbeat: { at: number; lagSeconds: number } | null; tables: MigrationRow[] }>("migrationStatus", { tables: opts.tables, events: opts.events ?? 10 }),
          opts.client.query<{ table: string; runs: ParityRunEntry[] }[]>("parityRuns", { tables: opts.tables, limit: opts.parityRuns ?? 50 }),
          Promise.all(opts.tables.map(recentDeadLetters)),
        ]);
        const tables = status.tables.map((t, i): TableView => ({
          table: t.table,
          phase: t.phase,
          percent: t.percent,
          unfit: [...t.unfit],
          checklist: t.checklist.map((c) => ({ item: c.item, at: c.at, proof: c.proof })),
          deadLetters: { count: t.deadLetters, recent: dead[i] ?? [] },
          parity: {
            greenSince: t.greenSince,
            gateMetAt: t.greenSince === null ? null : t.greenSince + gateMs,
            runs: (parity.find((p) => p.table === t.table)?.runs ?? []).map((r) => ({ startedAt: r.startedAt, mode: r.mode, verdict: r.verdict, drift: r.drift, summary: r.summary })),
          },
          events: t.events.map((e) => ({ at: e.at, kind: e.kind, actor: e.actor, detail: e.detail })),
        }));
        const heartbeat = status.heartbeat ? { at: status.heartbeat.at, lagSeconds: status.heartbeat.lagSeconds } : null;
        return { ...base, heartbeat, convexError: null, tables };
      } catch (e) {
        return { ...base, heartbeat: null, convexError: describeErrorLine(e), tables: [] };
      }
    },
  };
}
