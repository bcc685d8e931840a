// A TCP proxy in front of PostgreSQL that, in "hold" mode, keeps the server side of every connection open after
// its client died: what PostgreSQL sees when the bridge's machine vanishes or the network is cut (no FIN, no RST).
// The server's sessions (walsender, lock session) then live on until a server-side timeout ends them.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface HoldProxy {
  /** `url` with host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** From now on a client that goes away leaves its server connection open and silent. */
  holdOnClientClose(hold: boolean): void;
  /** Server connections being held open. */
  held(): number;
  /** Every open connection goes silent both ways, nothing closed: a network cut as both ends see it. */
  freeze(): void;
  close(): Promise<void>;
}

export async function startHoldProxy(targetHost: string, targetPort: number): Promise<HoldProxy> {
  let hold = false;
  const sockets = new Set<Socket>();
  const heldSockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.add([client, upstream]);
    const clientGone = () => {
      if (hold) {
        // Silent from now on: nothing is forwarded and nothing is closed.
        client.unpipe(upstream);
        upstream.unpipe(client);
        upstream.pause();
        heldSockets.add(upstream);
      } else upstream.destroy();
    };
    client.on("close", clientGone);
    client.on("error", () => undefined);
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => {
      heldSockets.delete(upstream);
      if (!heldSockets.has(upstream)) client.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    urlFor(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    holdOnClientClose: (h) => void (hold = h),
    held: () => heldSockets.size,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      pairs.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
