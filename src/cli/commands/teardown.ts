// `pg2convex teardown`: drops the replication slot (and its values slot, src/postgres/values-slot.ts) so PostgreSQL stops retaining WAL for the mirror; with
// --reset-convex also erases the Convex mirror, so the next `run` rebuilds it from a fresh backfill.
// Nothing is destroyed without --yes.
import { loadConfig } from "../../config/load";
import { connectPg, dropSlot, slotInfo } from "../../postgres";
import { resetConvexMirror } from "../../convex-client";
import { dropValuesSlot, valuesSlotName } from "../../postgres/values-slot";

const HELP = `usage: pg2convex teardown [--database-url URL] [--slot NAME] [--reset-convex] --yes

Drops the replication slot and its values slot. PostgreSQL then frees the WAL it retained for the mirror; the Convex mirror
stops receiving changes, and \`run\` refuses to stream into it again (changes made while no slot existed
are missing from it).
  --reset-convex  also erase the Convex mirror (every mirrored table and pg2convex's bookkeeping; needs
                  CONVEX_URL and CONVEX_ADMIN_KEY): the next \`pg2convex run\` creates a slot and backfills.
                  This is the recovery when \`run\` cannot prove the mirror continues the slot.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const reset = argv.includes("--reset-convex");
  const { config, extra } = loadConfig(argv, process.env, { yes: { type: "boolean" }, "reset-convex": { type: "boolean" } }, { convex: reset });
  const client = await connectPg(config.databaseUrl);
  try {
    const info = await slotInfo(client, config.slot);
    if (!info.exists && !reset) {
      // A values slot left behind (e.g. a failed first start) still retains WAL: drop it too.
      if (extra.yes && (await dropValuesSlot(client, config.slot))) console.log(`dropped slot ${valuesSlotName(config.slot)}`);
      console.log(`slot ${config.slot} does not exist; nothing to do`);
      return 0;
    }
    if (!extra.yes) {
      const what = [
        info.exists ? `drops replication slot ${config.slot} (retaining ${info.retainedBytes} bytes of WAL)` : null,
        reset ? `erases the Convex mirror at ${config.convexUrl} (every mirrored table and pg2convex's bookkeeping)` : null,
      ].filter(Boolean);
      console.error(`This ${what.join(" and ")}. Re-run with --yes to confirm.`);
      return 1;
    }
    if (info.exists) {
      await dropSlot(client, config.slot);
      console.log(`dropped slot ${config.slot}`);
    } else {
      console.log(`slot ${config.slot} does not exist`);
    }
    if (await dropValuesSlot(client, config.slot)) console.log(`dropped slot ${valuesSlotName(config.slot)}`);
    if (reset) {
      const deleted = await resetConvexMirror({ url: config.convexUrl, adminKey: config.convexAdminKey, module: config.convexModule, retries: config.retries });
      console.log(`erased the Convex mirror (${deleted} documents); the next pg2convex run backfills it from PostgreSQL`);
    }
    return 0;
  } finally {
    await client.end();
  }
}
