// One GET to the API server on node's own http/https, with the connection options client-node's
// KubeConfig hands out (./request-options.ts), and the ways its answer is read as text.
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { BOUNDS, KubeApiError } from "./bounds.ts";
import type { ClusterAccess, RequestOptions } from "./request-options.ts";

export type Query = Record<string, string | number | boolean | undefined>;

const USER_AGENT = "fluxlight";
/** TCP keep-alive: the first probe after this much silence on an API connection. */
const KEEPALIVE_PROBE_MS = 1_000;

/** One API server as the GETs reach it. */
export interface Endpoint {
  access: ClusterAccess;
  /** This request's credentials and agent (asked again for every request). */
  connection(): Promise<RequestOptions>;
  /** How long a GET with a deadline may take in all. */
  deadlineMs: number;
}

export interface Opened {
  res: http.IncomingMessage;
  req: http.ClientRequest;
  /** The answer is read: its deadline no longer applies. */
  done(): void;
}

/** The server as the kubeconfig wrote it (no trailing slash), for URLs, logs and messages. */
export const serverText = (access: ClusterAccess): string => access.server.href.replace(/\/$/, "");

// client-node's agents do not turn keep-alive on, so neither HTTP nor TCP keep-alive is on
// their sockets: TCP keep-alive (probes after 1 s of silence) is set on each socket, so the
// kernel finds a half-open connection too (test/faults/hostile.test.ts checks it with ss).
const keepAlive = (socket: net.Socket) => socket.setKeepAlive(true, KEEPALIVE_PROBE_MS);

function urlOf(access: ClusterAccess, path: string, query: Query = {}): URL {
  const url = new URL(serverText(access) + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/**
 * Sends the GET; resolves with a 200 response, rejects with KubeApiError (body read) otherwise.
 * With `deadline`, the request and its whole body must be done by then (call `done()` when
 * it is): a server dripping a byte every few seconds never trips the idle timeout.
 */
export async function openGet(to: Endpoint, path: string, query: Query | undefined, o: { signal?: AbortSignal; idleMs: number; deadline?: boolean }): Promise<Opened> {
  const { headers: credentials, auth, agent } = await to.connection();
  const { access, deadlineMs } = to;
  const url = urlOf(access, path, query);
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...credentials, Accept: "application/json", "User-Agent": USER_AGENT };
    let response: http.IncomingMessage | undefined;
    const timer = o.deadline
      ? setTimeout(() => {
          const err = new Error(`GET ${url.pathname}: ${access.server.host} did not finish its answer within ${Math.round(deadlineMs / 1000)} s`);
          if (response) response.destroy(err);
          else req.destroy(err);
        }, deadlineMs)
      : undefined;
    const done = () => clearTimeout(timer);
    const secure = access.server.protocol === "https:";
    const req = (secure ? https : http).request(url, { method: "GET", headers, auth, agent, signal: o.signal }, (res) => {
      response = res;
      if (res.statusCode === 200) return resolve({ res, req, done });
      readAll(res, BOUNDS.maxErrorBodyChars).then(
        (text) => reject(new KubeApiError(res.statusCode ?? 0, parseOr(text), url.pathname)),
        reject,
      ).finally(done);
    });
    req.setTimeout(o.idleMs, () => req.destroy(new Error(`no answer from ${access.server.host} for ${Math.round(o.idleMs / 1000)} s`)));
    req.on("socket", keepAlive);
    req.on("error", (err) => {
      done();
      reject(err);
    });
    req.end();
  });
}

/**
 * The body as text, chunk by chunk, decoded into V8 strings: a body never sits in one large
 * malloc'd Buffer, which glibc keeps after it is freed (BENCHMARKS.md). A chunk handler that
 * throws ends the response and the promise with its error.
 */
export function eachChunk(res: http.IncomingMessage, onChunk: (text: string) => void): Promise<void> {
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
export async function readAll(res: http.IncomingMessage, max: number, tooLong?: () => void): Promise<string> {
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

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
