// The source arrow, one scope at a time (client-go's Reflector): list, then watch from the
// list's resourceVersion, keeping only the small projection a verdict needs (objects are dropped
// as soon as they are projected). A dropped watch resumes from the last resourceVersion seen;
// `410 Gone` relists; errors back off, and so does a watch that ends at once (see `loop`).
// Over 200 lines: one class for one list+watch loop; its rules (what follows a watch's end) are
// the pure nextStep above it, table-tested.
import { setTimeout as sleep } from "node:timers/promises";
import type { Connectivity, ObjectRef, ObjectView } from "../model.ts";
import { project } from "./project.ts";
import type { Log } from "../log/logger.ts";
import { BOUNDS, TooLargeError, type KubeClient } from "../kube/client.ts";
import { rateLimiter } from "../log/ratelimit.ts";
import { collectionPath, listKind } from "./list.ts";
import { backoff as makeBackoff, type Backoff } from "../shared/backoff.ts";
import { classify, messageOf, statusOf } from "./errors.ts";
import { resourceName, type WatchedKind } from "./kinds.ts";
import type { Scope } from "./store.ts";

/** Where the source reports what it sees; every call names the scope it is about. */
export interface SourceSink {
  /** A complete list of the scope: everything the scope held that is not in `views` is gone. */
  replace(scope: Scope, views: ObjectView[]): void;
  upsert(scope: Scope, view: ObjectView): void;
  remove(scope: Scope, ref: ObjectRef): void;
  connectivity(scope: Scope, c: Connectivity): void;
}

export interface SourceOptions {
  log: Log;
  now: () => number;
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
  /**
   * The API server stopped answering (the probe says so; a partition sends no FIN): the scope's
   * view is no longer the truth, and its watch is given up for a relist, held until the server
   * answers again.
   */
  partitioned(since: number, error: string): void;
  stats: SourceStats;
}

/**
 * A watch that ends within this long having delivered nothing is a failure, not a close: retried
 * at once, a server that answers 200 and hangs up would be asked thousands of times a second
 * (client-go's "very short watch" rule).
 */
export const SHORT_WATCH_MS = 1000;

/**
 * A watch with no byte (not even a bookmark, which kube-apiserver sends about once a minute) for
 * this long is cut and resumed. (A silent API server is the probe's to notice: ./probe.ts.)
 */
const WATCH_SILENCE_S = 150;

/** Waits `ms`, or less if `signal` aborts. */
const pause = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined);

/** How one watch ended, and what follows from it. Pure, so that the rules read as a table. */
export type WatchEnd =
  | { kind: "gone" } // 410: the resourceVersion expired
  | { kind: "closed"; lastedMs: number; delivered: number } // the server ended the stream cleanly
  | { kind: "dropped"; lastedMs: number; delivered: number; error: unknown } // a running stream was cut off
  | { kind: "refused"; error: unknown } // the server did not answer 200, or sent an ERROR event
  | { kind: "too-large"; why: string }; // a line over BOUNDS.maxObjectChars: lost, and a resume would replay it

export type NextStep = "relist" | "relist-later" | "resume" | "resume-soon" | "back-off";

export function nextStep(end: WatchEnd): NextStep {
  if (end.kind === "gone") return "relist";
  // A list (which skips such an item) sets things straight; not at once: a server that keeps doing this gets no tight loop.
  if (end.kind === "too-large") return "relist-later";
  if (end.kind === "refused") return "back-off";
  // A stream that ended at once with nothing in it did not work, however politely it ended.
  if (end.lastedMs < SHORT_WATCH_MS && end.delivered === 0) return "back-off";
  // A cut stream (an API server rollout, a proxy's idle timeout) resumes almost at once, quietly.
  return end.kind === "closed" ? "resume" : "resume-soon";
}

export function watchKind(api: KubeClient, kind: WatchedKind, scope: Scope, sink: SourceSink, opts: SourceOptions): KindSource {
  const reflector = new Reflector(api, kind, scope, sink, opts);
  void reflector.run();
  return reflector;
}

class Reflector implements KindSource {
  readonly stats: SourceStats = { lists: 0, watchRestarts: 0, events: 0 };
  private readonly stopper = new AbortController();
  private readonly retry: Backoff;
  private readonly log: Log;
  private readonly watchTimeout: number;
  private outageSince: number | undefined;
  /** Ends the running watch only (a partition), not the reflector. */
  private watchAbort = new AbortController();
  /** The last problem said at warn level; the same again only at debug level. */
  private lastProblem = "";
  /** Each bad line or object is logged, but one kind of fault at most once a minute. */
  private readonly limit;

  constructor(
    private readonly api: KubeClient,
    private readonly kind: WatchedKind,
    private readonly scope: Scope,
    private readonly sink: SourceSink,
    private readonly opts: SourceOptions,
  ) {
    // Capped at 5 s: when the API server comes back, the light must tell the truth within seconds.
    this.retry = opts.backoff ?? makeBackoff(500, 5000);
    this.watchTimeout = opts.watchTimeoutSeconds ?? 300;
    this.log = opts.log.child({ kind: kind.kind, ...(scope.namespace ? { scope: scope.namespace } : {}) });
    this.limit = rateLimiter(60_000, opts.now);
  }

  private skip(key: string, fields: Record<string, unknown>, msg: string): void {
    const { log: say, suppressed } = this.limit.admit(key);
    if (say) this.log.warn({ ...fields, ...(suppressed ? { suppressed } : {}) }, suppressed ? `${msg} (and ${suppressed} more like it since the last such line)` : msg);
  }

  stop(): void {
    this.stopper.abort();
  }

  partitioned(since: number, error: string): void {
    if (this.stopped || this.outageSince !== undefined) return;
    this.outageSince = since;
    this.sink.connectivity(this.scope, { state: "unreachable", since, error });
    this.watchAbort.abort();
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  async run(): Promise<void> {
    const resource = resourceName(this.kind);
    while (!this.stopped) {
      let resourceVersion: string;
      try {
        resourceVersion = await this.list();
      } catch (err) {
        await this.fail(err, "list");
        continue;
      }
      if (this.lastProblem) this.log.info({ event: "api-recovered", resource }, `listing ${resource} works again`);
      this.healthy();
      for (;;) {
        const end = await this.watchFrom(resourceVersion);
        if (this.stopped) return;
        this.stats.watchRestarts += 1;
        if ("resourceVersion" in end) resourceVersion = end.resourceVersion;
        if (this.watchAbort.signal.aborted) break; // partitioned: relist once the server answers
        // After an outage the truth is listed again, not replayed: a replay spread over several
        // reads would show the light a half-updated cluster (a failure from the outage not yet
        // read, the rest already synced: a green that lies for a moment).
        if (!(await this.after(end, resourceVersion)) || this.outageSince !== undefined) break;
      }
    }
  }

  /** Acts on how a watch ended; false when the next step is a relist. */
  private async after(end: WatchEnd & { resourceVersion?: string }, resourceVersion: string): Promise<boolean> {
    const resource = resourceName(this.kind);
    switch (nextStep(end)) {
      case "relist":
        this.log.info({ event: "watch-restart", reason: "Expired", resourceVersion }, `resourceVersion ${resourceVersion} expired (410 Gone); relisting ${resource}`);
        return false;
      case "relist-later": {
        const why = (end as { why: string }).why;
        this.skip("too-large", { event: "watch-restart", reason: "TooLarge", error: why, limit: BOUNDS.maxObjectChars }, `${why}; relisting ${resource}`);
        await pause(this.retry.next(), this.stopper.signal);
        return false;
      }
      case "resume":
        this.log.debug({ event: "watch-restart", reason: "Closed", resourceVersion }, "watch closed by the server; resuming");
        return true;
      case "resume-soon": {
        const error = messageOf((end as { error: unknown }).error);
        this.log.info({ event: "watch-restart", reason: "Dropped", resourceVersion, error }, `watch of ${resource} dropped (${error}); resuming from ${resourceVersion}`);
        await pause(100 + Math.round(Math.random() * 200), this.stopper.signal);
        return true;
      }
      case "back-off": {
        const error = "error" in end ? end.error : new Error(`very short watch: the watch of ${resource} ended after ${(end as { lastedMs: number }).lastedMs} ms with no event`);
        await this.fail(error, "watch");
        const status = statusOf(error);
        // Credentials, permissions or the CRD changed under us: the list says which, with backoff.
        // Otherwise resume from resourceVersion: the watch replays what was missed, or says 410.
        return !(status === 401 || status === 403 || status === 404);
      }
    }
  }

  private async list(): Promise<string> {
    const { views, resourceVersion, tooLarge } = await listKind(this.api, this.kind, { labelSelector: this.scope.selector, namespace: this.scope.namespace, pageSize: this.opts.pageSize });
    if (tooLarge.count) {
      const resource = resourceName(this.kind);
      const max = BOUNDS.maxObjectChars;
      this.skip("too-large", { event: "object-too-large", resource, count: tooLarge.count, chars: tooLarge.largest, limit: max }, `skipped ${tooLarge.count} ${resource} item(s) longer than ${max} characters (the largest ${tooLarge.largest}); no real API server sends one`);
    }
    this.stats.lists += 1;
    this.sink.replace(this.scope, views);
    return resourceVersion;
  }

  private fail(err: unknown, during: string): Promise<void> {
    const c = classify(err, this.kind, this.opts.now(), this.outageSince, this.scope.namespace);
    if (c.state === "unreachable") this.outageSince = c.since;
    this.sink.connectivity(this.scope, c);
    const delay = this.retry.next();
    // The first failure of a scope says what and why; identical retries only at debug level.
    const problem = `${c.state}:${"error" in c ? c.error : ""}`;
    const level = problem === this.lastProblem ? "debug" : "warn";
    this.lastProblem = problem;
    this.log[level](
      { event: "api-error", during, resource: resourceName(this.kind), status: statusOf(err), cause: c.state, error: "error" in c ? c.error : undefined, fix: "fix" in c ? c.fix : undefined, retryInMs: delay },
      `${during} ${resourceName(this.kind)} failed: ${messageOf(err)}; retrying in ${delay} ms`,
    );
    return pause(delay, this.stopper.signal);
  }

  /** A list worked: the scope's view is the truth again. (The backoff is reset only by a watch that proves itself: see `proven`.) */
  private healthy(): void {
    this.outageSince = undefined;
    this.lastProblem = "";
    this.sink.connectivity(this.scope, { state: "synced" });
  }

  /**
   * A watch that has proved itself (open past SHORT_WATCH_MS, or an event: then once that event
   * and the rest of its read are applied) ends an outage. Not before: a resumed watch first
   * replays what changed in the outage, and a view declared synced before the replay lands
   * shows the stale objects as the truth (unknown → ok → failed).
   */
  private recovered(): void {
    if (this.outageSince === undefined) return;
    this.healthy();
    this.log.info({ event: "api-recovered", resource: resourceName(this.kind) }, `watching ${resourceName(this.kind)} again`);
  }

  /** One watch event's object into the store (the caller handles ERROR and resourceVersion). */
  private apply(type: string, object: unknown): void {
    if (type === "BOOKMARK") return;
    if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") {
      this.skip("unknown-type", { event: "watch-line-skipped", type: type.slice(0, 64) }, `skipped a watch event of unknown type ${JSON.stringify(type.slice(0, 64))}`);
      return;
    }
    const view = project(object, this.kind.kind);
    // Without a name there is nothing to key it by: it cannot be counted, updated or forgotten.
    if (!view.name) {
      this.skip("nameless", { event: "watch-line-skipped", type, error: view.unreadable ?? "no metadata.name" }, `skipped a ${type} event without an object name: ${view.unreadable ?? "no metadata.name"}`);
      return;
    }
    if (type === "DELETED") this.sink.remove(this.scope, view);
    else this.sink.upsert(this.scope, view);
  }

  private async watchFrom(from: string): Promise<WatchEnd & { resourceVersion: string }> {
    let resourceVersion = from;
    let refusal: unknown;
    let gone = false;
    let established: number | undefined;
    let delivered = 0;
    let proof: NodeJS.Timeout | undefined;
    const prove = (inMs: number) => {
      clearTimeout(proof);
      proof = setTimeout(() => {
        // Only a watch that works resets the backoff: a list that works before a watch that ends
        // at once (a proxy cutting streams) must not start each round from 0.5 s again.
        this.retry.reset();
        this.recovered();
      }, inMs);
    };
    const event = (type: string, object: unknown) => {
      this.stats.events += 1;
      if (type === "ERROR") {
        const code = (object as { code?: unknown } | null)?.code;
        if (code === 410) gone = true;
        else {
          const said = messageOf({ body: object });
          refusal = Object.assign(new Error(`the watch sent an error event: ${said}`), { code, body: object });
          this.log.warn({ event: "watch-error", status: code, error: said }, "watch sent an error event");
        }
        return false;
      }
      const meta = typeof object === "object" && object !== null ? (object as { metadata?: { resourceVersion?: unknown } | null }).metadata : undefined;
      if (typeof meta?.resourceVersion === "string") resourceVersion = meta.resourceVersion;
      this.apply(type, object);
      if (delivered++ === 0) prove(0);
    };
    const skipped = (why: string) => this.skip("not-an-event", { event: "watch-line-skipped", error: why }, `skipped ${why}`);
    const onEstablished = () => {
      established = performance.now();
      prove(SHORT_WATCH_MS);
    };
    const query = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.watchTimeout, labelSelector: this.scope.selector };
    this.watchAbort = new AbortController();
    const signal = AbortSignal.any([this.stopper.signal, this.watchAbort.signal]);
    // A bookmark comes about once a minute: silent far longer is a dead connection (see WATCH_SILENCE_S).
    const idleTimeoutMs = Math.min(this.watchTimeout + 30, WATCH_SILENCE_S) * 1000;
    let error: unknown;
    try {
      await this.api.watch(collectionPath(this.kind, this.scope.namespace), query, { established: onEstablished, event, skipped }, { signal, idleTimeoutMs });
    } catch (err) {
      error = err;
    } finally {
      clearTimeout(proof);
    }
    if (gone || statusOf(error) === 410) return { kind: "gone", resourceVersion };
    if (error instanceof TooLargeError) return { kind: "too-large", why: error.message, resourceVersion };
    if (refusal !== undefined) return { kind: "refused", error: refusal, resourceVersion };
    if (established === undefined) return { kind: "refused", error: error ?? new Error("the watch ended before the server answered"), resourceVersion };
    const lastedMs = Math.round(performance.now() - established);
    if (error !== undefined) return { kind: "dropped", lastedMs, delivered, error, resourceVersion };
    return { kind: "closed", lastedMs, delivered, resourceVersion };
  }
}
