// `pg2convex teardown`: drops the replication slot (and its values slot, see src/sql/values-slot.ts) so
// PostgreSQL stops retaining WAL for the mirror.
import { loadConfig } from "../../config/load";
import { connectPg, dropSlot, slotInfo } from "../../sql";
import { dropValuesSlot, valuesSlotName } from "../../sql/values-slot";

const HELP = `usage: pg2convex teardown [--database-url URL] [--slot NAME] --yes

Drops the replication slot and its values slot. PostgreSQL then frees the WAL it retained for the mirror; the Convex mirror
stops receiving changes and a later \`run\` needs a fresh backfill into empty tables.`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const { config, extra } = loadConfig(argv, process.env, { yes: { type: "boolean" } }, { convex: false });
  const client = await connectPg(config.databaseUrl);
  try {
    const info = await slotInfo(client, config.slot);
    if (!info.exists) {
      // A values slot left behind (e.g. a failed first start) still retains WAL: drop it too.
      if (extra.yes && (await dropValuesSlot(client, config.slot))) console.log(`dropped slot ${valuesSlotName(config.slot)}`);
      console.log(`slot ${config.slot} does not exist; nothing to do`);
      return 0;
    }
    if (!extra.yes) {
      console.error(`This drops replication slot ${config.slot} (retaining ${info.retainedBytes} bytes of WAL). Re-run with --yes to confirm.`);
      return 1;
    }
    await dropSlot(client, config.slot);
    console.log(`dropped slot ${config.slot}`);
    if (await dropValuesSlot(client, config.slot)) console.log(`dropped slot ${valuesSlotName(config.slot)}`);
    return 0;
  } finally {
    await client.end();
  }
}
