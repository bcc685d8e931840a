// A loopback HTTP proxy in front of the local Convex that can fail requests on demand: real network
// failures and real HTTP statuses reach the real ConvexHttpClient.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "503" | "400" | "reset";

export interface FaultProxy {
  url: string;
  /** Fail the next `count` requests whose path contains `path` with `fault`. */
  failNext(fault: Fault, count: number, path?: string): void;
  /** Fail every matching request until cleared; with `fn`, only calls of that Convex function (e.g. "mirror:beginBackfill"). */
  failAlways(fault: Fault, path?: string, fn?: string): void;
  clear(): void;
  requests: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let plan: { fault: Fault; remaining: number; path: string; fn?: string } | null = null;
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    requests.push(req.url ?? "");
    // The body is read first so a plan can match the Convex function it names.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fnMatches = (fn: string) => {
      try {
        return (JSON.parse(body.toString("utf8")) as { path?: string }).path === fn;
      } catch {
        return false;
      }
    };
    if (plan && plan.remaining > 0 && (req.url ?? "").includes(plan.path) && (plan.fn === undefined || fnMatches(plan.fn))) {
      plan.remaining -= 1;
      const fault = plan.fault;
      if (fault === "reset") return void req.socket.destroy();
      res.writeHead(Number(fault), { "content-type": "text/plain" }).end(fault === "503" ? "upstream overloaded" : "bad request");
      return;
    }
    const fwd = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on("error", () => res.destroy());
    fwd.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failNext: (fault, count, path = "/api/mutation") => (plan = { fault, remaining: count, path }),
    failAlways: (fault, path = "/api/mutation", fn) => (plan = { fault, remaining: Number.POSITIVE_INFINITY, path, ...(fn === undefined ? {} : { fn }) }),
    clear: () => (plan = null),
    requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
