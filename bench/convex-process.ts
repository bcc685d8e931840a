// Child process for the bench: the local Convex stand-in alone, so its mutations run on another JS thread than
// the bridge (in one process, a mutation in flight would stop the bridge decoding the next transactions).
// Started by bench/convex-child.ts with an IPC channel; the admin key comes in the environment, never argv.
//   → parent: { url }                                  once listening
//   ← parent: { type: "mutations", since }             → { type: "mutations", count, records: [{ path, ms }] }
//   ← parent: { type: "close" }                        closes the server and exits
import { fileURLToPath } from "node:url";
import { processMutations, startLocalConvex } from "../src/local-convex";

type Request = { type: "mutations"; since: number } | { type: "close" };

const adminKey = process.env.BENCH_CONVEX_ADMIN_KEY ?? "";
const convexDir = fileURLToPath(new URL("../convex", import.meta.url));
const convex = await startLocalConvex({ convexDir, adminKey, port: 0 });
const send = (msg: unknown) => process.send!(msg);

process.on("message", (msg: Request) => {
  if (msg.type === "mutations") {
    // Only what the bench reports (usage objects would make the reply large for no figure).
    const records = processMutations.since(msg.since).map((m) => ({ path: m.path, ms: m.ms }));
    send({ type: "mutations", count: processMutations.count, records });
  } else if (msg.type === "close") {
    void convex.close().then(() => process.exit(0));
  }
});
// The parent went away (crash, ctrl-c): do not linger holding a port.
process.on("disconnect", () => void convex.close().then(() => process.exit(0)));
send({ type: "listening", url: convex.url });
