// The dashboard's data: what /dashboard.json answers and /dashboard renders (render.ts), gathered by
// collect.ts from Convex (the control queries) and from the sidecar itself (lag, health).
// Invariant: nothing here is configuration. No connection string, URL with credentials or key is ever put
// into these objects, so neither the page nor the JSON can carry one (serve.ts also scrubs, as a backstop).

/** The sidecar process serving the page, as it sees itself now. */
export interface SidecarView {
  /** "starting" | "backfill" | "streaming" | "standby" | "reconnecting" | "stopping" | "failed" */
  phase: string;
  role: "leader" | "standby" | null;
  /** /healthz's verdict: ok | degraded | failed, with its reasons. */
  status: string;
  degraded: string[];
  /** The in-process lag (pg2convex_lag_seconds). */
  lagSeconds: number;
}

export interface ChecklistView {
  item: string;
  /** When the item became true (ms), null while it is not. */
  at: number | null;
  proof: string | null;
}

export interface DeadLetterView {
  id: string;
  at: number;
  key: string;
  code: string;
  reason: string;
}

export interface ParityRunView {
  startedAt: number;
  mode: string;
  verdict: string;
  drift: number;
  summary: string;
}

export interface EventView {
  at: number;
  kind: string;
  actor: string;
  detail: string;
}

export interface TableView {
  table: string;
  phase: string;
  /** Share of callers whose reads go to Convex while the mirror is fit. */
  percent: number;
  /** Why reads are on PostgreSQL now whatever the flag says (empty when fit). */
  unfit: string[];
  checklist: ChecklistView[];
  deadLetters: { count: number; recent: DeadLetterView[] };
  parity: {
    greenSince: number | null;
    /** greenSince + the gate: when the parity gate is (or will be) met, if the streak holds. */
    gateMetAt: number | null;
    /** Newest first. */
    runs: ParityRunView[];
  };
  /** Newest first. */
  events: EventView[];
}

export interface DashboardData {
  generatedAt: number;
  slot: string;
  gateDays: number;
  maxLagSeconds: number;
  sidecar: SidecarView;
  /** The newest heartbeat in Convex (of any sidecar of this deployment). */
  heartbeat: { at: number; lagSeconds: number } | null;
  /** Set when Convex could not be read: the page still shows the sidecar's own state. */
  convexError: string | null;
  tables: TableView[];
}

export interface DashboardSource {
  load(): Promise<DashboardData>;
}
