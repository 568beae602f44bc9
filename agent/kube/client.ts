// The two requests the agent makes to the Kubernetes API — a GET for JSON (discovery, list
// pages) and a watch stream of newline-delimited events — on node's own http/https, so that no
// generated API client or second HTTP stack is loaded (BENCHMARKS.md: resident memory). How to
// reach the cluster (TLS, credentials, proxy) comes from client-node's KubeConfig for every
// request (./request-options.ts); the GET is ./get.ts's, the watch stream ./watch-stream.ts's.
import { BOUNDS, TooLargeError } from "./bounds.ts";
import { eachChunk, openGet, readAll, type Endpoint, type Query } from "./get.ts";
import { listParser } from "./list-json.ts";
import { withoutFields } from "./prune.ts";
import { requestOptions, type ClusterAccess } from "./request-options.ts";
import { readWatch, type WatchHandlers } from "./watch-stream.ts";

export { BOUNDS, KubeApiError, TooLargeError } from "./bounds.ts";
export { serverText, type Query } from "./get.ts";
export type { WatchHandlers } from "./watch-stream.ts";
export type { ClusterAccess };

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

export interface ClientOptions {
  /** Keys whose values are never read: dropped from list items and watch events before parsing. */
  ignoredFields?: readonly string[];
  /** Overrides BOUNDS.requestDeadlineMs (tests). */
  requestDeadlineMs?: number;
}

export function kubeClient(access: ClusterAccess, opts: ClientOptions = {}): KubeClient {
  const ignored = opts.ignoredFields ?? [];
  const prepare = (text: string) => (ignored.length ? withoutFields(text, ignored) : text);
  const to: Endpoint = { access, connection: requestOptions(access), deadlineMs: opts.requestDeadlineMs ?? BOUNDS.requestDeadlineMs };
  return {
    server: access.server,
    context: access.context,
    async getJson(path, query, o) {
      const { res, done } = await openGet(to, path, query, { signal: o?.signal, idleMs: BOUNDS.requestIdleMs, deadline: true });
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
      const { res, done } = await openGet(to, path, query, { idleMs: BOUNDS.requestIdleMs, deadline: true });
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
    async watch(path, query, on, o) {
      let opened;
      try {
        opened = await openGet(to, path, { ...query, watch: true }, { signal: o.signal, idleMs: o.idleTimeoutMs });
      } catch (err) {
        if (o.signal.aborted) return;
        throw err;
      }
      on.established();
      await readWatch(opened.res, opened.req, on, prepare, o.signal);
    },
  };
}
