// Every code a Pg2ConvexError can carry, each with what happened, whether retrying the same operation can help
// and what to do. The code is the stable part of an error: scripts and alerts match on it, so a code is never
// renamed or reused for another meaning. docs/errors.md is rendered from this list and from reject-codes.ts
// (test/errors/codes.unit.test.ts fails when they differ). A single error's `retryable` is decided where it is
// raised; `retry` here says when that is true.
export interface CodeDoc {
  /** What happened, in the operator's terms. */
  readonly what: string;
  /** Whether retrying the same operation can help, and when. */
  readonly retry: string;
  /** What to do about it (the error's own `fix` is more specific). */
  readonly action: string;
}

const NO = "No: the same call fails the same way until the cause is fixed.";

export const ERROR_CODES = {
  CONFIG_INVALID: {
    what: "The configuration cannot be used: a flag or environment variable, a table definition, a slot, role or Convex name, the derived fields, a `--tables` list, a wal2json option the server's wal2json does not know, or the local Convex folder or port. The message lists every problem found, not only the first.",
    retry: NO,
    action: "Correct each setting the message names (flags override environment variables; see README § Configuration), then run the command again.",
  },
  PG_CONNECT: {
    what: "No connection to PostgreSQL could be opened: the connection string does not parse, the server is down or unreachable, or it refused the role (authentication, missing database, missing privilege, no REPLICATION).",
    retry: "Yes when the server was unreachable or starting; no for a bad connection string, authentication or a missing database or privilege.",
    action: "Check DATABASE_URL, that PostgreSQL runs and accepts (replication) connections from this host, and that the role can log in and has REPLICATION.",
  },
  PG_CONNECTION_LOST: {
    what: "An open PostgreSQL session ended under pg2convex: a server restart, a failover, pg_terminate_backend or the network.",
    retry: "Yes: nothing was confirmed past the last durable checkpoint.",
    action: "Start pg2convex again once PostgreSQL accepts connections; it resumes from the last durable checkpoint.",
  },
  PG_CHECK_FAILED: {
    what: "PostgreSQL does not meet a precondition: a `pg2convex setup` check (wal_level, wal2json, privileges, replica identity, primary keys, definitions against the catalog), a slot of another plugin or database, no free replication slot, no privilege to create or drop a slot, or the system identifier cannot be read.",
    retry: NO,
    action: "Apply the fix printed for each failure (`pg2convex setup` lists them all at once), then run the command again.",
  },
  SLOT_MISSING: {
    what: "The replication slot (or its `_values` slot) does not exist or lost WAL it had not streamed yet (wal_status = lost), or a parity run found a mirror that was never filled. When the mirror continues from a checkpoint, the changes since the slot went are gone.",
    retry: "No: a dropped slot or lost WAL does not come back.",
    action: "Before the first run: `pg2convex setup`, or pass the right `--slot`. For a mirror that continues: rebuild it (`pg2convex teardown --yes --reset-convex && pg2convex run`) and raise max_slot_wal_keep_size.",
  },
  SLOT_EXISTS: {
    what: "A replication slot of that name already exists, so pg2convex will not create it.",
    retry: NO,
    action: "Run `pg2convex teardown` first, or choose another `--slot`.",
  },
  CONTINUITY_GAP: {
    what: "The replication slot starts after the mirror's checkpoint in Convex (for example it was dropped and created again), so changes committed in between would be silently missing. Streaming is refused.",
    retry: "No: the missing changes are not in the slot.",
    action: "Rebuild the mirror: `pg2convex teardown --yes --reset-convex && pg2convex run`.",
  },
  MIRROR_MISMATCH: {
    what: "Convex holds another mirror than the one this bridge streams: another mirror identity for the slot, or the mirror of another PostgreSQL system or database. Raised by the bridge and by the mirror functions; nothing was written.",
    retry: "No: writing into another mirror is never right.",
    action: "Point DATABASE_URL and CONVEX_URL at the same mirror, or rebuild the mirror from PostgreSQL.",
  },
  MIRROR_STATE_LOST: {
    what: "Convex holds no mirror state for the slot any more although the bridge continues a mirror: the deployment was reset, lost its data, or is not this mirror's deployment. Nothing was written and streaming stopped.",
    retry: "No: lost state does not come back.",
    action: "Check CONVEX_URL; if it is right, rebuild the mirror from PostgreSQL.",
  },
  LEADERSHIP_LOST: {
    what: "This process stopped being the leader of the slot: the connection holding its PostgreSQL advisory lock ended (network, server restart, pg_terminate_backend, or the server's idle_session_timeout lease expired because the process stalled). It stopped writing at once; a standby (or this process, back in standby) takes over.",
    retry: "Yes: `pg2convex run` returns to standby and leads again once it wins the lock.",
    action: "Nothing when a standby took over. If it recurs, check the network between the sidecar and PostgreSQL and that the process is not starved of CPU (`--leader-lease` sets how long a silent leader keeps the lock).",
  },
  LEADER_FENCED: {
    what: "Convex refused a write from an older leadership epoch: another `pg2convex run` became the slot's leader since this one started leading, so this one's late batch was not applied. Raised by the mirror functions; nothing was written.",
    retry: "No for this leadership: the process returns to standby and only writes again after winning the lock and a new epoch.",
    action: "Nothing: it is how a deposed leader is kept from writing. If two processes keep deposing each other, check that every sidecar of this slot runs the same pg2convex version against the same database.",
  },
  SCHEMA_MISMATCH: {
    what: "Reserved for a table definition that does not match the PostgreSQL schema. This version raises PG_CHECK_FAILED (setup) or CONVEX_SCHEMA_MISMATCH (deployed functions) instead.",
    retry: NO,
    action: "Run `pg2convex setup` to list the differences.",
  },
  GRAPH_CYCLE: {
    what: "The declared references between mirrored tables form a cycle, so there is no order to apply and backfill them in.",
    retry: NO,
    action: "Declare one reference of the cycle (the error names its edges) with `ordering: false`: it stays a mirrored reference, filled when the parent arrives.",
  },
  DECODE_FAILED: {
    what: "A value, or a wal2json or test_decoding record, could not be turned into a Convex value. A row of a mirrored table with a known key becomes a DECODE_FAILED reject (see below) and streaming goes on; anything else stops the stream.",
    retry: "No: the same WAL decodes the same way.",
    action: "Check the column's type against docs/type-mapping.md; report a record that is not a row to the maintainers with the log line.",
  },
  UNKNOWN_TABLE: {
    what: "A change or a Convex call names a table (or a reference feeding an aggregate) that this side does not mirror: the bridge and the deployed functions were built from different table definitions.",
    retry: NO,
    action: "Deploy the mirror functions built from the same table definitions the bridge runs with.",
  },
  CONVEX_TRANSIENT: {
    what: "Convex kept failing with a transient error (overload, a conflicting transaction, a timeout) after every retry.",
    retry: "Yes: batches are idempotent; pg2convex already retried with backoff (`--retries`).",
    action: "Check the deployment's status, then start pg2convex again; a higher `--retries` rides out longer outages.",
  },
  CONVEX_PERMANENT: {
    what: "A Convex function failed with an error that retrying cannot change (the function threw).",
    retry: "No; the checkpoint did not move, so starting again after the fix resumes where it stopped.",
    action: "Read the deployment's function logs for the failing function and fix the cause.",
  },
  CONVEX_AUTH: {
    what: "Convex rejected the admin key.",
    retry: NO,
    action: "Set CONVEX_ADMIN_KEY (`--admin-key`) to a deploy or admin key of this deployment.",
  },
  CONVEX_UNREACHABLE: {
    what: "Convex could not be reached at CONVEX_URL: DNS, a refused or reset connection, a timeout.",
    retry: "Yes: the deployment may come back.",
    action: "Check CONVEX_URL and the network path to the deployment.",
  },
  CONVEX_NOT_A_DEPLOYMENT: {
    what: "Something answered at CONVEX_URL, but not as a Convex deployment (a dashboard URL, another server).",
    retry: NO,
    action: "Set CONVEX_URL to the deployment URL (https://<deployment>.convex.cloud, or the URL `pg2convex local-convex` prints).",
  },
  CONVEX_FUNCTIONS_MISSING: {
    what: "The deployment has no mirror function of that name, or an out-of-date one.",
    retry: NO,
    action: "Point `--convex-module` at the convex/ module that re-exports the mirror functions and deploy them (`npx convex deploy`).",
  },
  CONVEX_SCHEMA_MISMATCH: {
    what: "The deployed Convex functions refused a value: they were built from other table definitions than the bridge runs with.",
    retry: "No; the checkpoint did not move.",
    action: "Redeploy the Convex functions built from the current table definitions, then start pg2convex again.",
  },
  DEFINITIONS_MISMATCH: {
    what: "At start-up the deployed mirror functions serve other table definitions than the bridge runs with (another table, column, type, key, reference or excluded column), or serve none (deployed before definitions were checked). Nothing was written.",
    retry: NO,
    action: "Deploy the Convex functions built from the same definitions the bridge runs with (`npx convex deploy`), or point the bridge at those definitions; the message names the first differences.",
  },
  TABLE_MISSING: {
    what: "A mirrored table no longer exists in PostgreSQL (dropped or renamed while mirrored); its documents stay in Convex as they were.",
    retry: NO,
    action: "Remove the table from the definitions and deploy (then `pg2convex teardown` its Convex table if unwanted), or recreate it and run `pg2convex resync --table <table>`.",
  },
  BATCH_TOO_LARGE: {
    what: "A call exceeded a limit: Convex refused a batch as over a transaction limit, or a query was given more keys or bounds than it takes per call.",
    retry: NO,
    action: "Lower `--max-batch-ops` (the planner under-counted the batch), or split the query's keys.",
  },
  STREAM_FAILED: {
    what: "The replication stream failed: the server ended it, another process streams the slot, START_REPLICATION was rejected, the stream broke the protocol, or the values slot could not be read.",
    retry: "Yes when the connection ended or the slot was busy; no when the server rejected the request or the protocol was broken.",
    action: "Start pg2convex again once PostgreSQL accepts connections (it resumes from the last durable checkpoint); stop any other consumer of the slot.",
  },
  BACKFILL_FAILED: {
    what: "Reserved for a backfill that cannot go on. This version reports the underlying cause's code instead (for example SLOT_MISSING when the slot disappears during a backfill).",
    retry: NO,
    action: "Act on the cause; an interrupted backfill resumes on the next `pg2convex run`.",
  },
  DEAD_LETTER_REPLAY_FAILED: {
    what: "`pg2convex dlq replay` could not apply a dead letter's row: PostgreSQL's current row is still undecodable or unstorable (a value still violates the table definitions, or the row is still over Convex's document limit), or a PostgreSQL transaction that may have written the row stayed open past the wait. The entry stays unresolved.",
    retry: "Yes once the row (or its table definition) is fixed, or the blocking transaction has ended; no before that.",
    action: "Fix the row in PostgreSQL (the message names table, key, column and reason) or widen the table definition and deploy, then replay again; or accept the difference with `pg2convex dlq resolve ID --reason …`.",
  },
  INTERNAL: {
    what: "pg2convex broke one of its own invariants (a bug), the values slot and wal2json disagree, or the installed convex-test is not the version the local stand-in patches.",
    retry: "Sometimes: restarting `pg2convex run` re-reads from the checkpoint.",
    action: "For convex-test, install the version the message names (`npm ci`). Otherwise restart; if it recurs, report it with the pg2convex and PostgreSQL logs.",
  },
} as const satisfies Record<string, CodeDoc>;

export type ErrorCode = keyof typeof ERROR_CODES;
