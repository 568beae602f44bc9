// The two requests the agent makes to the Kubernetes API — a GET for JSON (discovery, list
// pages) and a watch stream of newline-delimited events — on node's own http/https, so that no
// generated API client or second HTTP stack is loaded (BENCHMARKS.md: resident memory).
import http from "node:http";
import https from "node:https";
import { serverText, type ClusterAccess } from "./config.ts";
import type { Identity } from "./credentials.ts";
import { lineSplitter } from "./lines.ts";
import { listParser } from "./list-json.ts";
import { withoutFields } from "./prune.ts";

/** A non-200 answer; `body` is the API server's Status object when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    path: string,
  ) {
    const said = typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string" ? (body as { message: string }).message : undefined;
    super(`HTTP ${statusCode} from GET ${path}${said ? `: ${said}` : ""}`);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface WatchHandlers {
  /** The server answered 200: the watch is established. */
  established(): void;
  /** One event; return false to end the watch (the promise then resolves). */
  event(type: string, object: unknown): boolean | void;
}

export interface KubeClient {
  readonly server: URL;
  readonly context: string;
  getJson(path: string, query?: Query): Promise<unknown>;
  /** A list: `onItem` for each item, parsed one by one; resolves with the list's other fields (metadata). */
  getList(path: string, query: Query, onItem: (item: unknown) => void): Promise<Record<string, unknown>>;
  /** Resolves when the server ends the stream, a handler returns false, or `signal` aborts; rejects on a failed request or a broken stream. */
  watch(path: string, query: Query, on: WatchHandlers, opts: { signal: AbortSignal; idleTimeoutMs: number }): Promise<void>;
}

/** A GET that sends nothing for this long is dead (a blackholed API server). */
const REQUEST_IDLE_MS = 30_000;
/** An error body longer than this is cut: only its message matters. */
const ERROR_BODY_MAX = 64 * 1024;
const USER_AGENT = "fluxlight";

export interface ClientOptions {
  /** Keys whose values are never read: dropped from list items and watch events before parsing. */
  ignoredFields?: readonly string[];
}

export function kubeClient(access: ClusterAccess, opts: ClientOptions = {}): KubeClient {
  const ignored = opts.ignoredFields ?? [];
  const prepare = (text: string) => (ignored.length ? withoutFields(text, ignored) : text);
  const secure = access.server.protocol === "https:";
  let pool: { cert?: Buffer; agent: http.Agent } | undefined;
  const agentFor = (id: Identity): http.Agent => {
    const cert = id.cert ?? access.tls.cert;
    if (pool && pool.cert === cert) return pool.agent;
    const agent = secure
      ? new https.Agent({
          keepAlive: true,
          ca: access.tls.ca,
          cert,
          key: id.key ?? access.tls.key,
          rejectUnauthorized: !access.tls.insecure,
          servername: access.tls.serverName,
        })
      : new http.Agent({ keepAlive: true });
    pool?.agent.destroy();
    pool = { cert, agent };
    return agent;
  };

  const urlOf = (path: string, query: Query = {}) => {
    const url = new URL(serverText(access) + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  };

  /** Sends the GET; resolves with a 200 response, rejects with KubeApiError (body read) otherwise. */
  const open = async (path: string, query: Query | undefined, signal: AbortSignal | undefined, idleMs: number): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> => {
    const id = await access.credentials.get();
    const url = urlOf(path, query);
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: "application/json", "User-Agent": USER_AGENT };
      if (id.authorization) headers.Authorization = id.authorization;
      const req = (secure ? https : http).request(url, { method: "GET", headers, agent: agentFor(id), signal }, (res) => {
        if (res.statusCode === 200) return resolve({ res, req });
        if (res.statusCode === 401) access.credentials.rejected();
        readAll(res, ERROR_BODY_MAX).then(
          (text) => reject(new KubeApiError(res.statusCode ?? 0, parseOr(text), url.pathname)),
          reject,
        );
      });
      req.setTimeout(idleMs, () => req.destroy(new Error(`no answer from ${access.server.host} for ${Math.round(idleMs / 1000)} s`)));
      req.on("error", reject);
      req.end();
    });
  };

  return {
    server: access.server,
    context: access.context,
    async getJson(path, query) {
      const { res } = await open(path, query, undefined, REQUEST_IDLE_MS);
      const text = await readAll(res, Infinity);
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`the API server sent invalid JSON for GET ${path}`);
      }
    },
    async getList(path, query, onItem) {
      const { res } = await open(path, query, undefined, REQUEST_IDLE_MS);
      const parser = listParser(onItem, prepare);
      try {
        await eachChunk(res, (chunk) => parser.write(chunk));
        return parser.end();
      } catch (err) {
        if (err instanceof SyntaxError) {
          throw new Error(`the API server sent an invalid list for GET ${path}: ${(err as Error).message}`);
        }
        throw err;
      }
    },
    async watch(path, query, on, opts) {
      let res: http.IncomingMessage;
      let req: http.ClientRequest;
      try {
        ({ res, req } = await open(path, { ...query, watch: true }, opts.signal, opts.idleTimeoutMs));
      } catch (err) {
        if (opts.signal.aborted) return;
        throw err;
      }
      on.established();
      await new Promise<void>((resolve, reject) => {
        let done = false;
        const finish = (err?: unknown) => {
          if (done) return;
          done = true;
          if (err && !opts.signal.aborted) reject(err);
          else resolve();
        };
        const split = lineSplitter((line) => {
          if (done) return;
          let parsed: { type?: unknown; object?: unknown };
          try {
            parsed = JSON.parse(prepare(line)) as typeof parsed;
          } catch {
            req.destroy();
            return finish(new Error(`the API server sent a watch event that is not JSON (${line.length} bytes)`));
          }
          if (on.event(String(parsed.type), parsed.object) === false) {
            req.destroy();
            finish();
          }
        });
        res.setEncoding("utf8");
        res.on("data", split);
        res.on("end", () => finish());
        res.on("error", finish);
        res.on("close", () => finish(res.complete ? undefined : new Error("the watch stream was cut off")));
        req.on("error", finish);
      });
    },
  };
}

/**
 * The body as text, chunk by chunk, decoded into V8 strings: a body never sits in one large
 * malloc'd Buffer, which glibc keeps after it is freed (BENCHMARKS.md). A chunk handler that
 * throws ends the response and the promise with its error.
 */
function eachChunk(res: http.IncomingMessage, onChunk: (text: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      try {
        onChunk(chunk);
      } catch (err) {
        res.destroy();
        reject(err);
      }
    });
    res.on("end", () => resolve());
    res.on("error", reject);
  });
}

async function readAll(res: http.IncomingMessage, max: number): Promise<string> {
  const parts: string[] = [];
  let size = 0;
  await eachChunk(res, (chunk) => {
    if (size < max) parts.push(chunk);
    size += chunk.length;
  });
  return parts.join("");
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
