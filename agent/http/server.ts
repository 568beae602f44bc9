// The agent's HTTP face for the kubelet and Prometheus: /healthz, /readyz, /metrics, on plain
// node:http. Everything is read from the snapshot at request time; nothing here changes the agent.
// Any pod in the cluster may reach this port (the chart's Service), so every request is bounded
// (header size, body, time, idle connections, connection count) and fails alone: a fault in one
// is answered (404, 405, 413, 500), logged at most once a minute, and the agent goes on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { AgentSnapshot } from "../agent.ts";
import type { Log } from "../log/logger.ts";
import { createMetrics } from "./metrics.ts";
import { readiness } from "./probes.ts";
import { rateLimiter } from "../log/ratelimit.ts";

/** The bounds on what a client may send or hold (README, "Reliability"). */
export const HTTP_LIMITS = {
  /** Request line and headers together; a scraper sends a few hundred bytes. */
  maxHeaderBytes: 8 * 1024,
  /** No endpoint reads a body: a larger one is refused with 413 and the connection closed. */
  maxBodyBytes: 1024,
  /** From the first byte to the end of the headers, and of the whole request. */
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  /** A kept-alive connection with no request for this long is closed. */
  keepAliveTimeoutMs: 5_000,
  /** Open connections at once; more are refused until some close. */
  maxConnections: 64,
} as const;

/** The path of a request target: origin-form (`/metrics?x`) or absolute-form (`http://host/metrics`); anything else serves nothing. */
export function targetPath(target: string): string | undefined {
  const form = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?(\/[^?#]*)/i.exec(target);
  return form ? form[1] : undefined;
}

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
  const handle = requestHandler(routes(snapshot, opts), log);
  const server = createServer(
    {
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    },
    (req, res) => void handle(req, res),
  );
  server.maxConnections = HTTP_LIMITS.maxConnections;
  const sockets = openSockets(server);
  await listen(server, addr);
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

type Route = (res: ServerResponse) => Promise<void> | void;

/** What each path answers, every answer read from the snapshot at request time. */
function routes(snapshot: () => AgentSnapshot, opts: HttpOptions): Record<string, Route> {
  const metrics = createMetrics(snapshot, { now: opts.now ?? Date.now, processMetrics: opts.processMetrics });
  return {
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
}

/**
 * One request, failing alone: an unknown path 404, a method other than GET/HEAD 405, a body
 * too large 413, and a route that throws 500 — logged at most once a minute per path, so that
 * a client hammering a broken endpoint cannot flood the log.
 */
function requestHandler(routes: Record<string, Route>, log: HttpLog): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = rateLimiter(60_000);
  return async (req, res) => {
    const path = targetPath(req.url ?? "");
    try {
      if (bodyTooLarge(req, res)) return;
      const route = path !== undefined && Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (!route) return reply(res, 404, "text/plain; charset=utf-8", "not found: fluxlight serves /healthz, /readyz and /metrics\n");
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("Allow", "GET, HEAD");
        return reply(res, 405, "text/plain; charset=utf-8", "method not allowed: use GET or HEAD\n");
      }
      await route(res);
    } catch (err) {
      // A probe that throws must not take the agent down with it; the kubelet sees a 500.
      const { log: say, suppressed } = limit.admit(`error:${path ?? ""}`);
      const error = err instanceof Error ? err.message : String(err);
      if (say) log.error({ event: "http-error", path: path ?? null, error, ...(suppressed ? { suppressed } : {}) }, `HTTP ${path ?? "request"} failed: ${error}`);
      if (!res.headersSent) reply(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    }
  };
}

/** The connections open now, so that close() can end kept-alive ones instead of waiting them out. */
function openSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}

/** Listen, failing the start (port taken, address not ours) rather than logging it later. */
function listen(server: Server, addr: { host?: string; port: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/**
 * A body larger than any endpoint needs (none reads one): 413 and the connection closed, so
 * node does not read and discard the rest. A small body is drained and ignored.
 */
function bodyTooLarge(req: IncomingMessage, res: ServerResponse): boolean {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > HTTP_LIMITS.maxBodyBytes || !Number.isFinite(declared)) {
    res.setHeader("Connection", "close");
    reply(res, 413, "text/plain; charset=utf-8", "request body too large: fluxlight reads none\n");
    return true;
  }
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > HTTP_LIMITS.maxBodyBytes) req.socket.destroy();
  });
  return false;
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  // Probes and scrapes must never see a cached answer.
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  // Node drops the body of a HEAD response by itself; the headers still say what GET would send.
  res.end(body);
}
