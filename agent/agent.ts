// The imperative shell that joins the arrows: source → status → signal → link. It owns the one
// timer the signal asks for, and the log lines that tell the story of the light.
import type { ClusterAccess } from "./kube/config.ts";
import { kubeClient } from "./kube/client.ts";
import { refKey, type Connectivity, type Evaluation, type ObjectRef, type ObjectView, type Signal, type Verdict } from "./model.ts";
import { evaluate } from "./status/verdict.ts";
import { UNREAD_FIELDS } from "./status/project.ts";
import { createSignalState, decide, observeConnectivity, observeList, transition, type SignalState } from "./signal/index.ts";
import { watchKind, type KindSource, type SourceSink } from "./source/kube.ts";
import { FLUX_KINDS, resourceName, type WatchedKind } from "./source/kinds.ts";
import { discoverKinds } from "./source/discovery.ts";
import { classify, messageOf } from "./source/errors.ts";
import { backoff } from "./source/backoff.ts";
import { BoardLink, type LinkState } from "./link/board.ts";
import type { SerialAccess, UsbId } from "./link/ports.ts";
import type { LedSpec } from "./light/led-spec.ts";
import type { Log } from "./log/logger.ts";

export interface AgentSettings {
  /** Kinds to watch; absent: every Flux kind the cluster serves. */
  kinds?: WatchedKind[];
  /** Namespaces to watch; empty: the whole cluster. */
  namespaces: string[];
  selector?: string;
  serial: string;
  usbIds: UsbId[];
  led: LedSpec;
  progressGraceMs: number;
  stuckAfterMs: number;
  /** fluxlight firmware's dead-man's switch; 0 disarms it. */
  heartbeatTimeoutMs: number;
}

export interface AgentDeps {
  /** The API server and the credentials to read it with. */
  cluster: ClusterAccess;
  access: SerialAccess;
  log: Log;
  now?: () => number;
  /** How often to look again for Flux kinds installed after start-up. */
  rediscoverMs?: number;
  /** How long a list page may take in all (tests shorten it); default BOUNDS.requestDeadlineMs. */
  requestDeadlineMs?: number;
  /** The wiring cannot be drawn on this board: the process should exit 2 with this line. */
  onFatal(message: string): void;
}

/** What the agent knows right now, for /metrics and /readyz (read at scrape time). */
export interface AgentSnapshot {
  signal: Signal | undefined;
  /** ms (the agent's clock) of the last signal transition. */
  lastTransitionAt: number | undefined;
  objects: { kind: string; verdict: Verdict; count: number }[];
  board: { state: LinkState; connected: boolean; path?: string; firmware?: string };
  /** Every watched kind has completed a list and its watch is running. */
  watching: boolean;
  watchRestarts: number;
  events: number;
}

export interface Agent {
  readonly signal: Signal | undefined;
  snapshot(): AgentSnapshot;
  readonly link: BoardLink;
  readonly sources: ReadonlyMap<string, KindSource>;
  /** Switch the LED off and let go of the board and the cluster. */
  stop(): Promise<void>;
}

export function startAgent(settings: AgentSettings, deps: AgentDeps): Agent {
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const api = kubeClient(deps.cluster, { ignoredFields: UNREAD_FIELDS, requestDeadlineMs: deps.requestDeadlineMs });
  const wanted = settings.kinds ?? FLUX_KINDS;
  const scopes: (string | undefined)[] = settings.namespaces.length ? settings.namespaces : [undefined];
  const sources = new Map<string, KindSource>();
  let state: SignalState = createSignalState({ progressGrace: settings.progressGraceMs, stuckAfter: settings.stuckAfterMs });
  let shown: Signal | undefined;
  let lastTransitionAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const reported = new Map<string, string>(); // object → the verdict (or unreadable sentence) last logged
  const connectivity = new Map<string, Connectivity>();
  const listedOnce = new Set<string>();

  const link = new BoardLink({ serial: settings.serial, usbIds: settings.usbIds, led: settings.led, heartbeatTimeoutMs: settings.heartbeatTimeoutMs, access: deps.access, log, onFatal: deps.onFatal });

  /** `beforeSignalLine`: what to log after the LED write but before the signal line (the verdicts that caused it). */
  const reconsider = (beforeSignalLine?: () => void) => {
    const t = now();
    const decision = decide(state, t);
    const change = transition(shown, decision);
    if (change) {
      shown = change.to;
      lastTransitionAt = t;
      link.show(change.to);
    }
    beforeSignalLine?.();
    if (change) {
      log.info(
        {
          event: "signal",
          from: change.from ?? null,
          to: change.to,
          summary: change.summary,
          causes: change.causes.map((c) => ({ ...c.ref, verdict: c.verdict, reason: c.reason, message: c.message })),
        },
        `light ${change.from ?? "off"} → ${change.to}: ${change.summary}${change.causes.length ? ": " + change.causes.map(describe).join("; ") : ""}`,
      );
    }
    clearTimeout(timer);
    timer = decision.nextWakeAt === undefined ? undefined : setTimeout(() => reconsider(), Math.max(0, decision.nextWakeAt - t) + 1);
  };

  // One line when an object's settled verdict changes; Flux's routine Ready=Unknown blips
  // (progressing and back) say nothing, and the signal line covers a progressing spell that lasts.
  const report = (view: ObjectView, ev: Evaluation, initial: boolean) => {
    const key = refKey(view);
    // A failure that changes its reason (BuildFailed → HealthCheckFailed) is news too.
    const said = ev.verdict === "unknown" ? `unknown:${ev.message}` : ev.verdict === "failed" ? `failed:${ev.reason}` : ev.verdict;
    if (ev.verdict === "progressing" || reported.get(key) === said) return;
    const before = reported.get(key);
    reported.set(key, said);
    if (initial && ev.verdict === "ready" && before === undefined) return; // the list summary counts them
    const fields = { event: "verdict", kind: view.kind, namespace: view.namespace, name: view.name, verdict: ev.verdict, previous: before?.split(":")[0] ?? null, reason: ev.reason, message: ev.message };
    const text = `${view.kind} ${view.namespace}/${view.name} is ${ev.verdict}: ${ev.reason}${ev.message ? ": " + ev.message : ""}`;
    if (ev.verdict === "unknown") log.warn(fields, `${text} (skipped: left out of the light)`);
    else if (ev.verdict === "failed") log.warn(fields, text);
    else log.info(fields, text);
  };

  // Watch events arrive in bursts (one TCP read can hold hundreds of lines). They are applied
  // to the signal state once per burst, at the end of the current macrotask: one copy of the
  // state and one decision per burst instead of per event, at no cost in latency. The latest
  // event per object wins, which keeps any order between objects and within one.
  const pending = new Map<string, { ref: ObjectRef; evaluation?: Evaluation }>();
  // Each event's verdict line is written after the burst's LED write: the light first, the words
  // after (a log line costs about a quarter of a millisecond; BENCHMARKS.md, latency).
  const unreported: { view: ObjectView; evaluation: Evaluation }[] = [];
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (pending.size === 0) return;
    const observed: { ref: ObjectRef; evaluation: Evaluation }[] = [];
    const gone: ObjectRef[] = [];
    for (const { ref, evaluation } of pending.values()) {
      if (evaluation) observed.push({ ref, evaluation });
      else gone.push(ref);
    }
    pending.clear();
    state = observeList(state, observed, gone, now());
    reconsider(() => {
      for (const { view, evaluation } of unreported) report(view, evaluation, false);
      unreported.length = 0;
    });
  };
  const queue = (ref: ObjectRef, evaluation?: Evaluation) => {
    pending.set(refKey(ref), { ref, evaluation });
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
  };

  const sink: SourceSink = {
    replaceAll(kind, views) {
      flush();
      const initial = !listedOnce.has(kind.kind);
      listedOnce.add(kind.kind);
      const present = new Set(views.map(refKey));
      const gone: ObjectRef[] = [];
      for (const tracked of state.objects.values()) {
        if (tracked.ref.kind === kind.kind && !present.has(refKey(tracked.ref))) {
          gone.push(tracked.ref);
          reported.delete(refKey(tracked.ref));
        }
      }
      // One signal event for the whole list: per item, 10,000 objects took minutes.
      const observed = views.map((view) => {
        const evaluation = evaluate(view);
        report(view, evaluation, initial);
        return { ref: view, evaluation };
      });
      state = observeList(state, observed, gone, now());
      const counts: Record<string, number> = {};
      for (const view of views) {
        const v = state.objects.get(refKey(view))?.evaluation.verdict ?? "unknown";
        counts[v] = (counts[v] ?? 0) + 1;
      }
      log.info({ event: "listed", kind: kind.kind, objects: views.length, verdicts: counts }, `listed ${kind.kind} objects: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(", ") || "none"}`);
      reconsider();
    },
    upsert(view) {
      const evaluation = evaluate(view);
      unreported.push({ view, evaluation });
      queue(view, evaluation);
    },
    remove(ref: ObjectRef) {
      queue(ref);
      if (reported.delete(refKey(ref))) log.info({ event: "deleted", kind: ref.kind, namespace: ref.namespace, name: ref.name }, `${ref.kind} ${ref.namespace}/${ref.name} deleted`);
    },
    connectivity(kind, c, namespace) {
      flush();
      setConnectivity(`${kind.kind}/${namespace ?? ""}`, c);
      if (c.state === "missing-crd") {
        // The CRD went away under us: its objects went with it.
        const gone = [...state.objects.values()].filter((t) => t.ref.kind === kind.kind).map((t) => t.ref);
        for (const ref of gone) reported.delete(refKey(ref));
        state = observeList(state, [], gone, now());
      }
      reconsider();
    },
  };

  const setConnectivity = (key: string, c: Connectivity) => {
    connectivity.set(key, c);
    state = observeConnectivity(state, combine(connectivity), now());
  };

  const startKind = (kind: WatchedKind) => {
    for (const namespace of scopes) {
      const key = `${kind.kind}/${namespace ?? ""}`;
      if (sources.has(key)) continue;
      connectivity.set(key, { state: "listing" });
      sources.set(key, watchKind(api, kind, sink, { log, now, namespace, labelSelector: settings.selector }));
    }
  };

  // Discovery decides which kinds to watch; it runs again now and then, so a Flux component
  // installed later (helm-controller, say) is picked up without a restart.
  const retry = backoff(500, 5000);
  let discoveryTimer: NodeJS.Timeout | undefined;
  let skipped = "";
  const discover = async () => {
    let next = deps.rediscoverMs ?? 120_000;
    try {
      const { served, missing } = await discoverKinds(api, wanted);
      retry.reset();
      const fresh = served.filter((k) => !sources.has(`${k.kind}/${scopes[0] ?? ""}`));
      if (fresh.length) {
        log.info({ event: "watching", kinds: fresh.map((k) => k.kind), namespaces: settings.namespaces, selector: settings.selector ?? null }, `watching ${fresh.map((k) => k.kind).join(", ")} in ${settings.namespaces.length ? "namespaces " + settings.namespaces.join(", ") : "all namespaces"}${settings.selector ? " with labels " + settings.selector : ""}`);
      }
      const missingNow = missing.filter((k) => ![...sources.keys()].some((key) => key.startsWith(`${k.kind}/`)));
      const skippedNow = missingNow.map((k) => k.kind).join(",");
      if (skippedNow && skippedNow !== skipped) {
        log.info({ event: "kinds-skipped", kinds: missingNow.map((k) => k.kind), reason: "CRD not installed" }, `not watching ${missingNow.map(resourceName).join(", ")}: the cluster does not serve them (CRD not installed)`);
      }
      skipped = skippedNow;
      if (served.length === 0 && sources.size === 0) {
        setConnectivity("discovery", {
          state: "missing-crd",
          error: `the cluster serves none of ${wanted.map(resourceName).join(", ")}`,
          fix: "install Flux, or point --kubeconfig/--context at the cluster that runs it",
        });
      } else connectivity.delete("discovery");
      for (const kind of fresh) startKind(kind);
      if (!fresh.length) state = observeConnectivity(state, combine(connectivity), now());
    } catch (err) {
      next = retry.next();
      const c = classify(err, wanted[0]!, now(), (connectivity.get("discovery") as { since?: number } | undefined)?.since);
      setConnectivity("discovery", c);
      log.warn({ event: "api-error", during: "discovery", cause: c.state, error: messageOf(err), retryInMs: next }, `API discovery failed: ${messageOf(err)}; retrying in ${next} ms`);
    }
    reconsider();
    if (!stopped) discoveryTimer = setTimeout(() => void discover(), next);
  };
  let stopped = false;

  link.start();
  connectivity.set("discovery", { state: "listing" });
  reconsider();
  void discover();

  return {
    get signal() {
      return shown;
    },
    snapshot() {
      const counts = new Map<string, { kind: string; verdict: Verdict; count: number }>();
      for (const tracked of state.objects.values()) {
        const key = `${tracked.ref.kind}/${tracked.evaluation.verdict}`;
        const entry = counts.get(key) ?? { kind: tracked.ref.kind, verdict: tracked.evaluation.verdict, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
      return {
        signal: shown,
        lastTransitionAt,
        objects: [...counts.values()],
        board: { state: link.state, connected: link.state === "connected", path: link.board?.path, firmware: link.board?.firmware },
        watching: isWatching(connectivity),
        watchRestarts: [...sources.values()].reduce((n, s) => n + s.stats.watchRestarts, 0),
        events: [...sources.values()].reduce((n, s) => n + s.stats.events, 0),
      };
    },
    link,
    sources,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(discoveryTimer);
      for (const s of sources.values()) s.stop();
      await link.stop();
    },
  };
}

/**
 * The view of the whole cluster is as bad as the worst kind's — except that a kind whose CRD is
 * missing is simply not watched while other kinds are (a cluster without helm-controller is fine).
 */
function combine(byKey: ReadonlyMap<string, Connectivity>): Connectivity {
  const all = [...byKey.values()];
  const watched = all.filter((c) => c.state !== "missing-crd");
  const considered = watched.length > 0 ? watched : all;
  const order: Connectivity["state"][] = ["forbidden", "missing-crd", "unreachable", "listing", "synced"];
  const sorted = [...considered].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  return sorted[0] ?? { state: "listing" };
}

/** Every watched kind is listed and its watch running; kinds without a CRD are not watched. */
function isWatching(byKey: ReadonlyMap<string, Connectivity>): boolean {
  const watched = [...byKey.values()].filter((c) => c.state !== "missing-crd");
  return watched.length > 0 && watched.every((c) => c.state === "synced");
}

function describe(c: { ref: ObjectRef; reason: string; message: string }): string {
  return `${c.ref.kind} ${c.ref.namespace}/${c.ref.name} ${c.reason}${c.message ? ": " + c.message : ""}`;
}
