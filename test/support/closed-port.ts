// A loopback port that refuses connections, for "server unreachable" tests. A port found free and released
// can be bound by anyone a moment later (this machine runs many servers on port 0); port 1 cannot: the
// kernel never hands out ports below 1024 for port 0, and nothing in the suite binds a fixed low port.
import { connect } from "node:net";

export const CLOSED_PORT = 1;

/** CLOSED_PORT, after checking that it really refuses connections here (a clear failure if not). */
export async function closedPort(): Promise<number> {
  const refused = await new Promise<boolean>((resolve) => {
    const s = connect(CLOSED_PORT, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(false)));
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
  if (!refused) throw new Error(`127.0.0.1:${CLOSED_PORT} does not refuse connections on this machine; the unreachable-server tests need a closed port`);
  return CLOSED_PORT;
}
