// The source arrow: list, then watch one Flux kind from the list's resourceVersion, keeping only
// the small projection a verdict needs (objects are dropped as soon as they are projected).
// A dropped watch resumes from the last resourceVersion seen; `410 Gone` relists; errors back off.
import type { Connectivity, ObjectRef, ObjectView } from "../model.ts";
import { project } from "../status/project.ts";
import type { Log } from "../log/logger.ts";
import { BOUNDS, TooLargeError, type KubeClient } from "../kube/client.ts";
import { rateLimiter } from "../log/ratelimit.ts";
import { collectionPath, listKind } from "./list.ts";
import { backoff as makeBackoff, type Backoff } from "./backoff.ts";
import { classify, messageOf, statusOf } from "./errors.ts";
import { resourceName, type WatchedKind } from "./kinds.ts";

/** Where the source reports what it sees. */
export interface SourceSink {
  /** A complete list of `kind`: everything not in `views` is gone. */
  replaceAll(kind: WatchedKind, views: ObjectView[]): void;
  upsert(view: ObjectView): void;
  remove(ref: ObjectRef): void;
  connectivity(kind: WatchedKind, c: Connectivity, namespace?: string): void;
}

export interface SourceOptions {
  log: Log;
  now: () => number;
  labelSelector?: string;
  /** Watch one namespace; absent: the whole cluster. */
  namespace?: string;
  /** Server-side watch length; a real API server caps it anyway. */
  watchTimeoutSeconds?: number;
  pageSize?: number;
  backoff?: Backoff;
}

export interface SourceStats {
  lists: number;
  watchRestarts: number;
  events: number;
}

export interface KindSource {
  stop(): void;
  stats: SourceStats;
}

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind either way. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

export function watchKind(api: KubeClient, kind: WatchedKind, sink: SourceSink, opts: SourceOptions): KindSource {
  const watchTimeout = opts.watchTimeoutSeconds ?? 300;
  // Capped at 5 s: when the API server comes back, the light must tell the truth within seconds.
  const retry = opts.backoff ?? makeBackoff(500, 5000);
  const stopper = new AbortController();
  const stats: SourceStats = { lists: 0, watchRestarts: 0, events: 0 };
  const log = opts.log.child({ kind: kind.kind, ...(opts.namespace ? { scope: opts.namespace } : {}) });
  let outageSince: number | undefined;

  let lastProblem = "";
  const fail = (err: unknown, during: string) => {
    const c = classify(err, kind, opts.now(), outageSince, opts.namespace);
    if (c.state === "unreachable") outageSince = c.since;
    sink.connectivity(kind, c, opts.namespace);
    const delay = retry.next();
    // The first failure of a kind says what and why; identical retries only at debug level.
    const problem = `${c.state}:${"error" in c ? c.error : ""}`;
    const level = problem === lastProblem ? "debug" : "warn";
    lastProblem = problem;
    log[level](
      { event: "api-error", during, resource: resourceName(kind), status: statusOf(err), cause: c.state, error: "error" in c ? c.error : undefined, fix: "fix" in c ? c.fix : undefined, retryInMs: delay },
      `${during} ${resourceName(kind)} failed: ${messageOf(err)}; retrying in ${delay} ms`,
    );
    return sleep(delay, stopper.signal);
  };

  // Each bad line or object is logged, but one kind of fault at most once a minute.
  const limit = rateLimiter(60_000, opts.now);
  const skip = (key: string, fields: Record<string, unknown>, msg: string) => {
    const { log: say, suppressed } = limit.admit(key);
    if (say) log.warn({ ...fields, ...(suppressed ? { suppressed } : {}) }, suppressed ? `${msg} (and ${suppressed} more like it since the last such line)` : msg);
  };

  const list = async (): Promise<string> => {
    const { views, resourceVersion, tooLarge } = await listKind(api, kind, { labelSelector: opts.labelSelector, namespace: opts.namespace, pageSize: opts.pageSize });
    if (tooLarge.count) {
      skip("too-large", { event: "object-too-large", resource: resourceName(kind), count: tooLarge.count, chars: tooLarge.largest, limit: BOUNDS.maxObjectChars }, `skipped ${tooLarge.count} ${resourceName(kind)} item(s) longer than ${BOUNDS.maxObjectChars} characters (the largest ${tooLarge.largest}); no real API server sends one`);
    }
    stats.lists += 1;
    sink.replaceAll(kind, views);
    return resourceVersion;
  };

  /** `established`: the server had answered 200 and the stream ran before it ended. */
  type WatchEnd = { kind: "gone" } | { kind: "relist"; why: string } | { kind: "ended"; resourceVersion: string; established: boolean; error?: unknown };

  const recovered = () => {
    if (outageSince === undefined) return;
    outageSince = undefined;
    lastProblem = "";
    retry.reset();
    sink.connectivity(kind, { state: "synced" }, opts.namespace);
    log.info({ event: "api-recovered", resource: resourceName(kind) }, `watching ${resourceName(kind)} again`);
  };

  const watchFrom = async (resourceVersion: string): Promise<WatchEnd> => {
    let rv = resourceVersion;
    let gone = false;
    let errorEvent: Error | undefined;
    let established = false;
    const query = { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: watchTimeout, labelSelector: opts.labelSelector };
    const event = (type: string, object: unknown) => {
      stats.events += 1;
      if (type === "ERROR") {
        const code = (object as { code?: unknown } | null)?.code;
        if (code === 410) gone = true;
        else {
          const said = messageOf({ body: object });
          errorEvent = new Error(`the watch sent an error event: ${said}`);
          log.warn({ event: "watch-error", status: code, error: said }, "watch sent an error event");
        }
        return false;
      }
      const meta = typeof object === "object" && object !== null ? (object as { metadata?: { resourceVersion?: unknown } | null }).metadata : undefined;
      if (typeof meta?.resourceVersion === "string") rv = meta.resourceVersion;
      if (type === "BOOKMARK") return;
      if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") {
        skip("unknown-type", { event: "watch-line-skipped", type: type.slice(0, 64) }, `skipped a watch event of unknown type ${JSON.stringify(type.slice(0, 64))}`);
        return;
      }
      const view = project(object, kind.kind);
      // Without a name there is nothing to key it by: it cannot be counted, updated or forgotten.
      if (!view.name) {
        skip("nameless", { event: "watch-line-skipped", type, error: view.unreadable ?? "no metadata.name" }, `skipped a ${type} event without an object name: ${view.unreadable ?? "no metadata.name"}`);
        return;
      }
      if (type === "DELETED") sink.remove(view);
      else sink.upsert(view);
    };
    const skipped = (why: string) => skip("not-an-event", { event: "watch-line-skipped", error: why }, `skipped ${why}`);
    const onEstablished = () => {
      established = true;
      recovered();
    };
    // A watch silent past the server-side timeout (plus slack) is a dead connection.
    const idleTimeoutMs = (watchTimeout + 30) * 1000;
    try {
      await api.watch(collectionPath(kind, opts.namespace), query, { established: onEstablished, event, skipped }, { signal: stopper.signal, idleTimeoutMs });
    } catch (error) {
      if (statusOf(error) === 410) return { kind: "gone" };
      // The line is lost, and resuming would only replay it: a list (which skips such an item) sets things straight.
      if (error instanceof TooLargeError) return { kind: "relist", why: error.message };
      return { kind: "ended", resourceVersion: rv, established, error };
    }
    if (gone) return { kind: "gone" };
    return { kind: "ended", resourceVersion: rv, established, error: errorEvent };
  };

  const loop = async () => {
    while (!stopper.signal.aborted) {
      let resourceVersion: string;
      try {
        resourceVersion = await list();
      } catch (err) {
        await fail(err, "list");
        continue;
      }
      if (lastProblem) log.info({ event: "api-recovered", resource: resourceName(kind) }, `listing ${resourceName(kind)} works again`);
      outageSince = undefined;
      lastProblem = "";
      retry.reset();
      sink.connectivity(kind, { state: "synced" }, opts.namespace);
      for (;;) {
        const end = await watchFrom(resourceVersion);
        if (stopper.signal.aborted) return;
        stats.watchRestarts += 1;
        if (end.kind === "gone") {
          log.info({ event: "watch-restart", reason: "Expired", resourceVersion }, `resourceVersion ${resourceVersion} expired (410 Gone); relisting ${resourceName(kind)}`);
          break;
        }
        if (end.kind === "relist") {
          skip("too-large", { event: "watch-restart", reason: "TooLarge", error: end.why, limit: BOUNDS.maxObjectChars }, `${end.why}; relisting ${resourceName(kind)}`);
          // Not at once: a server that keeps doing this gets no tight loop.
          await sleep(retry.next(), stopper.signal);
          break;
        }
        resourceVersion = end.resourceVersion;
        if (end.error === undefined) {
          log.debug({ event: "watch-restart", reason: "Closed", resourceVersion }, "watch closed by the server; resuming");
          continue;
        }
        if (end.established) {
          // A running stream cut off (an API server rollout, a proxy's idle timeout): resume at
          // once and quietly; only a resume that fails says anything about connectivity.
          log.info({ event: "watch-restart", reason: "Dropped", resourceVersion, error: messageOf(end.error) }, `watch of ${resourceName(kind)} dropped (${messageOf(end.error)}); resuming from ${resourceVersion}`);
          await sleep(100 + Math.round(Math.random() * 200), stopper.signal);
          continue;
        }
        await fail(end.error, "watch");
        if (stopper.signal.aborted) return;
        const status = statusOf(end.error);
        // Credentials, permissions or the CRD changed under us: the list says which, with backoff.
        if (status === 401 || status === 403 || status === 404) break;
        // Otherwise resume from resourceVersion: the watch replays what was missed, or says 410.
      }
    }
  };

  void loop();
  return {
    stats,
    stop() {
      stopper.abort();
    },
  };
}
