// `pg2convex local-convex`: serve the project's Convex functions from the in-memory local stand-in
// (src/local-convex) until SIGINT/SIGTERM, so `pg2convex run` can be pointed at it.
// The admin key is printed only when this command generated it (the user has no other way to learn
// it); a key passed in by flag or environment is never echoed.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLocalConvex } from "../../local-convex";
import { createLogger } from "../../log";

const DEFAULT_PORT = 3210;
const DEFAULT_CONVEX_DIR = fileURLToPath(new URL("../../../convex", import.meta.url));

const USAGE = `usage: pg2convex local-convex [--port N] [--host H] [--admin-key KEY] [--convex-dir DIR]

Serves the Convex functions in DIR over the Convex HTTP API from an IN-MEMORY LOCAL STAND-IN
(not the Convex backend: data is lost on exit). Point \`pg2convex run\` at the printed URL.

  --port N          port to listen on (default ${DEFAULT_PORT}; 0 picks a free port)
  --host H          interface to bind (default 127.0.0.1)
  --admin-key KEY   admin key required for internal functions (default: $CONVEX_ADMIN_KEY,
                    otherwise a random key is generated and printed once)
  --convex-dir DIR  Convex functions folder with _generated/ (default: ${DEFAULT_CONVEX_DIR})`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "admin-key": { type: "string" },
        "convex-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`pg2convex local-convex: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`pg2convex local-convex: --port must be an integer from 0 to 65535, got "${values.port}"`);
    return 2;
  }
  const given = values["admin-key"] ?? process.env.CONVEX_ADMIN_KEY;
  const adminKey = given || `local-convex|${randomBytes(24).toString("hex")}`;
  const logger = createLogger({ secrets: [adminKey] });

  const server = await startLocalConvex({
    convexDir: values["convex-dir"] ? resolve(values["convex-dir"]) : DEFAULT_CONVEX_DIR,
    adminKey,
    port,
    ...(values.host ? { host: values.host } : {}),
    logger,
  });
  // The "listening at" line is the readiness signal scripts wait for, so whatever they need with it (the
  // generated key) comes before it and in the same write: a reader that has seen the URL has seen the key
  // (two writes could be read apart on a busy machine).
  const ready = `Local Convex (stand-in, in-memory) listening at ${server.url}`;
  process.stdout.write(`${given ? "" : `Generated admin key (pass it to pg2convex run as the Convex admin key): ${adminKey}\n`}${ready}\n`);

  const signal = await new Promise<NodeJS.Signals>((done) => {
    const onSignal = (s: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      done(s);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  logger.info({ signal }, "local-convex: shutting down");
  await server.close();
  return 0;
}
