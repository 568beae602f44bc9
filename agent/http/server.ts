// The agent's HTTP face for the kubelet and Prometheus: /healthz, /readyz, /metrics, on plain
// node:http. Everything is read from the snapshot at request time; nothing here changes the agent.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { AgentSnapshot } from "../agent.ts";
import type { Log } from "../log/logger.ts";
import { createMetrics } from "./metrics.ts";
import { readiness } from "./probes.ts";

export interface HttpServer {
  /** The port listened on (the one chosen by the OS when asked for 0). */
  port: number;
  close(): Promise<void>;
}

export interface HttpOptions {
  /** ms, the clock the snapshot's lastTransitionAt is on. */
  now?: () => number;
  /** Process metrics in /metrics (default on). */
  processMetrics?: boolean;
}

type HttpLog = Pick<Log, "info" | "warn" | "error">;

export async function startHttp(
  addr: { host?: string; port: number },
  snapshot: () => AgentSnapshot,
  log: HttpLog,
  opts: HttpOptions = {},
): Promise<HttpServer> {
  const metrics = createMetrics(snapshot, { now: opts.now ?? Date.now, processMetrics: opts.processMetrics });

  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    // The process answers, so its event loop turns: nothing more is claimed.
    "/healthz": (res) => reply(res, 200, "text/plain; charset=utf-8", "ok\n"),
    "/readyz": (res) => {
      const r = readiness(snapshot());
      reply(res, r.ready ? 200 : 503, "application/json", `${JSON.stringify(r.body)}\n`);
    },
    "/metrics": async (res) => {
      const { contentType, body } = await metrics.scrape();
      reply(res, 200, contentType, body);
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://fluxlight").pathname;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return reply(res, 404, "text/plain; charset=utf-8", "not found: fluxlight serves /healthz, /readyz and /metrics\n");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return reply(res, 405, "text/plain; charset=utf-8", `${req.method ?? "?"} not allowed: use GET or HEAD\n`);
    }
    try {
      await route(res);
    } catch (err) {
      // A probe that throws must not take the agent down with it; the kubelet sees a 500.
      log.error({ event: "http-error", path, error: (err as Error).message }, `HTTP ${path} failed: ${(err as Error).message}`);
      if (!res.headersSent) reply(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => log.warn({ event: "http-error", error: err.message }, `HTTP server: ${err.message}`));
  const port = (server.address() as AddressInfo).port;
  log.info({ event: "http", host: addr.host ?? null, port }, `serving /healthz, /readyz and /metrics on ${addr.host ?? "*"}:${port}`);

  return {
    port,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections from a scraper would otherwise hold close() open until they idle out.
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  // Probes and scrapes must never see a cached answer.
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  // Node drops the body of a HEAD response by itself; the headers still say what GET would send.
  res.end(body);
}
