// The two requests the agent makes to the Kubernetes API — a GET for JSON (discovery, list
// pages) and a watch stream of newline-delimited events — on node's own http/https, so that no
// generated API client or second HTTP stack is loaded (BENCHMARKS.md: resident memory). How to
// reach the cluster (TLS, credentials, proxy) comes from client-node's KubeConfig for every
// request (./request-options.ts).
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { requestOptions, type ClusterAccess } from "./request-options.ts";
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
  /** A line that is JSON but not an event (`null`, an array, no `type`), or an event whose handling threw: skipped, the watch goes on. */
  skipped?(why: string): void;
}

/** A watch line or a list's fields past BOUNDS.maxObjectChars: the stream is given up. */
export class TooLargeError extends Error {}

export interface KubeClient {
  readonly server: URL;
  readonly context: string;
  /** `signal`: abort the request (e.g. `AbortSignal.timeout(ms)`, a deadline for the whole answer). */
  getJson(path: string, query?: Query, opts?: { signal?: AbortSignal }): Promise<unknown>;
  /** A list: `onItem` for each item, parsed one by one; resolves with the list's other fields (metadata). */
  getList(path: string, query: Query, onItem: (item: unknown) => void, onTooLarge?: (chars: number) => void): Promise<Record<string, unknown>>;
  /** Resolves when the server ends the stream, a handler returns false, or `signal` aborts; rejects on a failed request or a broken stream. */
  watch(path: string, query: Query, on: WatchHandlers, opts: { signal: AbortSignal; idleTimeoutMs: number }): Promise<void>;
}

/** What the API server may send, and for how long (README, "Reliability"). */
export const BOUNDS = {
  /** A GET that sends nothing for this long is dead (a blackholed API server). */
  requestIdleMs: 30_000,
  /** A GET (a list page, a discovery document) that has not ended this long after it was sent has failed, however it trickles. */
  requestDeadlineMs: 60_000,
  /**
   * One watch line, one list item, a discovery document or a list's fields besides its items, in
   * characters. etcd refuses objects over 1.5 MiB, so a real API server never comes near this.
   */
  maxObjectChars: 4 * 1024 * 1024,
  /** An error body longer than this is cut: only its message matters. */
  maxErrorBodyChars: 64 * 1024,
} as const;
const USER_AGENT = "fluxlight";
/** TCP keep-alive: the first probe after this much silence on an API connection. */
const KEEPALIVE_PROBE_MS = 1_000;

export interface ClientOptions {
  /** Keys whose values are never read: dropped from list items and watch events before parsing. */
  ignoredFields?: readonly string[];
  /** Overrides BOUNDS.requestDeadlineMs (tests). */
  requestDeadlineMs?: number;
}

export type { ClusterAccess };

/** The server as the kubeconfig wrote it (no trailing slash), for URLs, logs and messages. */
export const serverText = (access: ClusterAccess): string => access.server.href.replace(/\/$/, "");

export function kubeClient(access: ClusterAccess, opts: ClientOptions = {}): KubeClient {
  const deadlineMs = opts.requestDeadlineMs ?? BOUNDS.requestDeadlineMs;
  const ignored = opts.ignoredFields ?? [];
  const prepare = (text: string) => (ignored.length ? withoutFields(text, ignored) : text);
  const secure = access.server.protocol === "https:";
  const connection = requestOptions(access);
  // client-node's agents do not turn keep-alive on, so neither HTTP nor TCP keep-alive is on
  // their sockets: TCP keep-alive (probes after 1 s of silence) is set on each socket, so the
  // kernel finds a half-open connection too (test/faults/hostile.test.ts checks it with ss).
  const keepAlive = (socket: net.Socket) => socket.setKeepAlive(true, KEEPALIVE_PROBE_MS);

  const urlOf = (path: string, query: Query = {}) => {
    const url = new URL(serverText(access) + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  };

  /**
   * Sends the GET; resolves with a 200 response, rejects with KubeApiError (body read) otherwise.
   * With `deadline`, the request and its whole body must be done by then (call `done()` when
   * it is): a server dripping a byte every few seconds never trips the idle timeout.
   */
  const open = async (path: string, query: Query | undefined, signal: AbortSignal | undefined, idleMs: number, deadline = false): Promise<{ res: http.IncomingMessage; req: http.ClientRequest; done(): void }> => {
    const { headers: credentials, auth, agent } = await connection();
    const url = urlOf(path, query);
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { ...credentials, Accept: "application/json", "User-Agent": USER_AGENT };
      let response: http.IncomingMessage | undefined;
      const timer = deadline
        ? setTimeout(() => {
            const err = new Error(`GET ${url.pathname}: ${access.server.host} did not finish its answer within ${Math.round(deadlineMs / 1000)} s`);
            if (response) response.destroy(err);
            else req.destroy(err);
          }, deadlineMs)
        : undefined;
      const done = () => clearTimeout(timer);
      const req = (secure ? https : http).request(url, { method: "GET", headers, auth, agent, signal }, (res) => {
        response = res;
        if (res.statusCode === 200) return resolve({ res, req, done });
        readAll(res, BOUNDS.maxErrorBodyChars).then(
          (text) => reject(new KubeApiError(res.statusCode ?? 0, parseOr(text), url.pathname)),
          reject,
        ).finally(done);
      });
      req.setTimeout(idleMs, () => req.destroy(new Error(`no answer from ${access.server.host} for ${Math.round(idleMs / 1000)} s`)));
      req.on("socket", keepAlive);
      req.on("error", (err) => {
        done();
        reject(err);
      });
      req.end();
    });
  };

  return {
    server: access.server,
    context: access.context,
    async getJson(path, query, opts) {
      const { res, done } = await open(path, query, opts?.signal, BOUNDS.requestIdleMs, true);
      let text: string;
      try {
        text = await readAll(res, BOUNDS.maxObjectChars, () => {
          throw new TooLargeError(`the API server sent more than ${BOUNDS.maxObjectChars} characters for GET ${path}`);
        });
      } finally {
        done();
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`the API server sent invalid JSON for GET ${path}`);
      }
    },
    async getList(path, query, onItem, onTooLarge) {
      const { res, done } = await open(path, query, undefined, BOUNDS.requestIdleMs, true);
      const parser = listParser(onItem, prepare, { maxItem: BOUNDS.maxObjectChars, onOversize: onTooLarge });
      try {
        await eachChunk(res, (chunk) => parser.write(chunk));
        return parser.end();
      } catch (err) {
        if (err instanceof SyntaxError) {
          throw new Error(`the API server sent an invalid list for GET ${path}: ${(err as Error).message}`);
        }
        throw err;
      } finally {
        done();
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
        const split = lineSplitter(
          (line) => {
            if (done) return;
            let parsed: unknown;
            try {
              parsed = JSON.parse(prepare(line));
            } catch {
              // Resuming from the last resourceVersion replays what this line held.
              req.destroy();
              return finish(new Error(`the API server sent a watch event that is not JSON (${line.length} characters)`));
            }
            // Each line fails alone: JSON that is not an event is skipped, and so is an event whose handling throws.
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== "string") {
              return on.skipped?.(`a watch line that is not an event: ${describeJson(parsed)}`);
            }
            const { type, object } = parsed as { type: string; object?: unknown };
            let more: boolean | void;
            try {
              more = on.event(type, object);
            } catch (err) {
              return on.skipped?.(`a ${type} event could not be handled: ${err instanceof Error ? err.message : String(err)}`);
            }
            if (more === false) {
              req.destroy();
              finish();
            }
          },
          {
            maxLine: BOUNDS.maxObjectChars,
            onOversize(chars) {
              req.destroy();
              finish(new TooLargeError(`the API server sent a watch line longer than ${BOUNDS.maxObjectChars} characters (${chars} so far)`));
            },
          },
        );
        res.setEncoding("utf8");
        res.on("data", split);
        res.on("end", () => {
          split.end();
          finish();
        });
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
    // Destroyed without an error (the socket closed under it): not a complete body.
    res.on("close", () => (res.complete ? resolve() : reject(new Error("the answer was cut off"))));
  });
}

/** The body up to `max` characters; past it `tooLong` decides (throw: the response is ended), by default the rest is dropped unread. */
async function readAll(res: http.IncomingMessage, max: number, tooLong?: () => void): Promise<string> {
  const parts: string[] = [];
  let size = 0;
  await eachChunk(res, (chunk) => {
    if (size + chunk.length > max) {
      tooLong?.();
      parts.push(chunk.slice(0, Math.max(0, max - size)));
      throw new CutShort();
    }
    parts.push(chunk);
    size += chunk.length;
  }).catch((err: unknown) => {
    if (!(err instanceof CutShort)) throw err;
  });
  return parts.join("");
}

/** Ends readAll's reading early, keeping what it has. */
class CutShort extends Error {}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object without a type";
  return `a ${typeof value}`;
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
