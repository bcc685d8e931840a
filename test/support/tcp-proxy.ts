// A loopback TCP proxy for fault injection between the bridge and PostgreSQL or the Convex stand-in. Real
// sockets, real failures: the bridge's own drivers meet a cut connection (reset), a refused one (nothing
// listens: ECONNREFUSED), a stall (bytes are held, the connection stays open) or a slow path (each chunk delayed).
// Bytes are forwarded in order in each direction; a stall or a delay never drops or reorders anything.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Resets every open connection (both sides). */
  cut(): void;
  /** Stops listening: new connections are refused (ECONNREFUSED) until accept(); open ones are cut too. */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  /** Holds every byte (both directions) until unstall(); connections stay open. */
  stall(): void;
  unstall(): void;
  /** Delays each chunk by `ms` (0: none). */
  slow(ms: number): void;
  /** Connections currently open through the proxy. */
  open(): number;
  close(): Promise<void>;
}

interface Pipe {
  a: Socket;
  b: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pipes = new Set<Pipe>();
  let stalled = false;
  let delayMs = 0;
  const held: Array<() => void> = [];
  let server: Server;
  let port = 0;

  // Per direction: a chain keeps chunks in order through delays and stalls.
  const forward = (from: Socket, to: Socket) => {
    let chain = Promise.resolve();
    from.on("data", (chunk: Buffer) => {
      chain = chain.then(async () => {
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        if (stalled) await new Promise<void>((r) => held.push(r));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on("end", () => void chain.then(() => to.end()));
  };

  const onConnection = (a: Socket) => {
    const b = connect(target.port, target.host);
    const pipe = { a, b };
    pipes.add(pipe);
    const drop = () => {
      pipes.delete(pipe);
      a.destroy();
      b.destroy();
    };
    a.on("error", drop).on("close", drop);
    b.on("error", drop).on("close", drop);
    forward(a, b);
    forward(b, a);
  };

  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection);
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = () => {
    for (const { a, b } of [...pipes]) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    pipes.clear();
  };
  const stopListening = () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  await listen(0);

  return {
    get port() {
      return port;
    },
    via(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
    },
    cut,
    async refuse() {
      const closed = stopListening();
      cut();
      await closed;
    },
    accept: () => listen(port),
    stall: () => void (stalled = true),
    unstall() {
      stalled = false;
      for (const release of held.splice(0)) release();
    },
    slow: (ms) => void (delayMs = ms),
    open: () => pipes.size,
    async close() {
      stalled = false;
      for (const release of held.splice(0)) release();
      const closed = stopListening();
      cut();
      await closed;
    },
  };
}
