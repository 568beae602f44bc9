// The agent's entry: the one place where the parts are wired together, and the owner of the
// timers. Data goes one way: source (per cluster, ./cluster.ts: a reflector per scope) → the
// store → status (one verdict per object) → signal (one for the light) → light (the lamp) → link
// (the board). With several clusters (kubeconfig contexts) each is watched on its own and the
// light stands for them all; a cluster nobody can see hides only its own objects (signal/blind.ts).
// The log lines that tell the story come from ./log/story.ts; what is decided lives in the parts.
// Over 200 lines: the handle's types that cli/, http/, demo/ and the tests code against, and the
// one class where the parts meet (the sink the clusters report to, the burst, the timers).
import type { ClusterAccess } from "./kube/client.ts";
import type { ClusterView, Connectivity, Evaluation, ObjectRef, ObjectView, Signal, Verdict } from "./model.ts";
import { refKey } from "./model.ts";
import { evaluate } from "./status/verdict.ts";
import { createSignalState, decide, observeConnectivity, observeControllers, observeList, transition, type ControllerDown, type SignalState } from "./signal/index.ts";
import { acrossClusters } from "./source/connectivity.ts";
import type { WatchedKind } from "./source/kinds.ts";
import { ScopedStore, scopeKey, type Scope } from "./source/store.ts";
import { createLamp } from "./light/lamp.ts";
import { HOST_LOST } from "./light/looks.ts";
import type { LedSpec } from "./light/led-spec.ts";
import { BoardLink, type BoardState } from "./link/board.ts";
import type { SerialAccess, UsbId } from "./link/ports.ts";
import { deletedLine, listedLine, signalLine, verdictNews, type Line, type Said } from "./log/story.ts";
import type { Log } from "./log/logger.ts";
import { systemClock, type Clock, type TimerHandle } from "./shared/clock.ts";
import { ClusterWatch, type ClusterSink } from "./cluster.ts";

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
  /** Where the Flux controllers' Deployments and Leases are; default flux-system. */
  fluxNamespace?: string;
  /** How often (and with what deadline) to ask whether the API server answers; default 10 s. */
  apiProbeIntervalMs?: number;
}

export interface AgentDeps {
  /**
   * The API server and the credentials to read it with; or several, one per kubeconfig context,
   * each then named by its context (in scopes, log lines, metrics) and watched on its own.
   */
  cluster: ClusterAccess | readonly ClusterAccess[];
  access: SerialAccess;
  log: Log;
  /** The agent's clock and timers (the signal's, the board link's); default the system's. */
  clock?: Clock;
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
  /** `cluster`: the context name, once several clusters are watched. */
  objects: { cluster?: string; kind: string; verdict: Verdict; count: number }[];
  board: { state: BoardState; connected: boolean; path?: string; firmware?: string };
  /** Every watched scope has completed a list and its watch is running. */
  watching: boolean;
  watchRestarts: number;
  events: number;
  /** Several clusters: each one's view of its API server by context name (absent with one). */
  clusters?: { name: string; state: ClusterView["state"] }[];
}

export interface Agent {
  /** The signal the light shows (undefined before the first decision). */
  readonly signal: Signal | undefined;
  snapshot(): AgentSnapshot;
  /** Switch the LED off and let go of the board and the cluster. */
  stop(): Promise<void>;
}

/** One object as the store keeps it: its identity and its verdict. */
interface Observed {
  ref: ObjectRef;
  evaluation: Evaluation;
}

export function startAgent(settings: AgentSettings, deps: AgentDeps): Agent {
  const shell = new Shell(settings, deps);
  shell.start();
  return {
    get signal() {
      return shell.shown;
    },
    snapshot: () => shell.snapshot(),
    stop: () => shell.stop(),
  };
}

class Shell implements ClusterSink {
  shown: Signal | undefined;
  private lastTransitionAt: number | undefined;
  private state: SignalState;
  private readonly store = new ScopedStore<Observed>();
  private readonly said = new Map<string, Said>();
  /** Every cluster watched, by context name ("" for the one cluster when only one is). */
  private readonly clusters = new Map<string, ClusterWatch>();
  private readonly clock: Clock;
  private readonly board: BoardLink;
  private wake: TimerHandle | undefined;
  private stopped = false;
  /** Watch events of the current burst (the latest per object), applied as one at its end. */
  private readonly burst = new Map<string, { scope: Scope; ref: ObjectRef; evaluation?: Evaluation }>();
  /** Every verdict of the burst in order, so that failed-then-ready within one burst still says both. */
  private readonly unsaid: Observed[] = [];
  private burstQueued = false;
  /** Scopes listed at least once: a ready object first seen in a scope's first list is counted by the list's line. */
  private readonly listedScopes = new Set<string>();

  constructor(
    private readonly settings: AgentSettings,
    private readonly deps: AgentDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.state = createSignalState({ progressGrace: settings.progressGraceMs, stuckAfter: settings.stuckAfterMs });
    const { serial, usbIds, led, heartbeatTimeoutMs } = settings;
    this.board = new BoardLink({ serial, usbIds, lights: [{ name: "light", led, field: "--led" }], hostLost: HOST_LOST, heartbeatTimeoutMs, access: deps.access, log: deps.log, clock: this.clock, drawOn: createLamp, onFatal: deps.onFatal });
    const { kinds, namespaces, selector, fluxNamespace, apiProbeIntervalMs } = settings;
    const { rediscoverMs, requestDeadlineMs } = deps;
    const accesses = Array.isArray(deps.cluster) ? (deps.cluster as readonly ClusterAccess[]) : [deps.cluster as ClusterAccess];
    for (const access of accesses) {
      // One cluster stays unnamed: its logs, metrics and objects read as they always have.
      const name = accesses.length > 1 ? access.context : undefined;
      if (this.clusters.has(name ?? "")) throw new Error(`context ${access.context} is given twice`);
      const watch = new ClusterWatch(access, { name, kinds, namespaces, selector, fluxNamespace, apiProbeIntervalMs, rediscoverMs, requestDeadlineMs }, this, { log: deps.log, clock: this.clock });
      this.clusters.set(name ?? "", watch);
    }
  }

  start(): void {
    this.board.start();
    this.reconsider();
    for (const cluster of this.clusters.values()) cluster.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clear(this.wake);
    for (const cluster of this.clusters.values()) cluster.stop();
    await this.board.stop();
  }

  // --- the sink the clusters report to ------------------------------------------------------

  replace(scope: Scope, views: ObjectView[]): void {
    this.flush();
    const first = !this.listedScopes.has(scopeKey(scope));
    this.listedScopes.add(scopeKey(scope));
    const observed = views.map((view): Observed => ({ ref: view, evaluation: evaluate(view) }));
    const { deleted } = this.store.replace(scope, observed);
    for (const ref of deleted) this.said.delete(refKey(ref));
    const lines = observed.map(({ ref, evaluation }) => this.news(ref, evaluation, first));
    // One signal event for the whole list: per item, 10,000 objects took minutes.
    this.state = observeList(this.state, observed, deleted, this.clock.now());
    for (const line of lines) if (line) this.write(line);
    this.write(listedLine(scope, views, observed.map((o) => o.evaluation.verdict)));
    this.reconsider();
  }

  upsert(scope: Scope, view: ObjectView): void {
    const evaluation = evaluate(view);
    this.unsaid.push({ ref: view, evaluation });
    this.queue({ scope, ref: view, evaluation });
  }

  remove(scope: Scope, ref: ObjectRef): void {
    this.queue({ scope, ref });
  }

  drop(scope: Scope): void {
    this.flush();
    const { deleted } = this.store.drop(scope);
    for (const ref of deleted) this.said.delete(refKey(ref));
    this.state = observeList(this.state, [], deleted, this.clock.now());
  }

  connectivity(): void {
    this.flush();
    this.state = observeConnectivity(this.state, this.connectivityOf(), this.clock.now());
    this.reconsider();
  }

  controllers(): void {
    const t = this.clock.now();
    this.state = observeControllers(this.state, this.controllersDownAt(t), t);
    this.reconsider();
  }

  /** The contexts watched (their names in scopes and refs); empty when one unnamed cluster is. */
  get clusterNames(): string[] {
    return [...this.clusters.values()].flatMap((c) => (c.name === undefined ? [] : [c.name]));
  }

  /**
   * The view of these clusters (context names) as the signal reads it: with one unnamed cluster
   * its own view; else the worst, with each cluster's kept, so that a blind cluster hides only its
   * own objects (a light over a subset of the clusters asks for its own).
   */
  connectivityOf(clusters: readonly string[] = this.clusterNames): Connectivity {
    const only = this.clusters.get("");
    if (only) return only.view;
    const views = new Map<string, ClusterView>();
    for (const name of clusters) {
      const watch = this.clusters.get(name);
      if (watch) views.set(name, watch.view);
    }
    return acrossClusters(views);
  }

  private controllersDownAt(t: number): ControllerDown[] {
    return [...this.clusters.values()].flatMap((cluster) => cluster.controllersDownAt(t));
  }

  // --- bursts: watch events arrive in bursts (one TCP read can hold hundreds of lines) --------

  /** Applied at the end of the current macrotask: one state copy and one decision per burst, at no cost in latency. */
  private queue(event: { scope: Scope; ref: ObjectRef; evaluation?: Evaluation }): void {
    this.burst.set(`${scopeKey(event.scope)}/${refKey(event.ref)}`, event);
    if (this.burstQueued) return;
    this.burstQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.burstQueued = false;
    if (this.burst.size === 0) return;
    const observed: Observed[] = [];
    const gone: ObjectRef[] = [];
    const lines: Line[] = [];
    for (const { ref, evaluation } of this.unsaid) {
      const line = this.news(ref, evaluation, false);
      if (line) lines.push(line);
    }
    this.unsaid.length = 0;
    for (const { scope, ref, evaluation } of this.burst.values()) {
      if (evaluation) {
        this.store.upsert(scope, { ref, evaluation });
        observed.push({ ref, evaluation });
      } else if (this.store.delete(scope, ref)) {
        gone.push(ref);
        if (this.said.delete(refKey(ref))) lines.push(deletedLine(ref));
      }
    }
    this.burst.clear();
    this.state = observeList(this.state, observed, gone, this.clock.now());
    // The light first, the words after (a log line costs about a quarter of a millisecond).
    this.reconsider(() => lines.forEach((line) => this.write(line)));
  }

  // --- the signal ----------------------------------------------------------------------------

  /** Decide, draw a change, and arm the one timer the signal asks for. `beforeSignalLine`: lines that explain the change. */
  private reconsider(beforeSignalLine?: () => void): void {
    const t = this.clock.now();
    if (this.state.controllersDown.length) this.state = observeControllers(this.state, this.controllersDownAt(t), t); // the evidence in today's words
    const decision = decide(this.state, t);
    const change = transition(this.shown, decision);
    if (change) {
      this.shown = change.to;
      this.lastTransitionAt = t;
      this.board.show(0, change.to);
    }
    beforeSignalLine?.();
    if (change) this.write(signalLine(change));
    this.clock.clear(this.wake);
    const at = decision.nextWakeAt;
    this.wake = at === undefined || this.stopped ? undefined : this.clock.set(() => this.reconsider(), Math.max(0, at - t) + 1);
  }

  private news(ref: ObjectRef, evaluation: Evaluation, listed: boolean): Line | undefined {
    const key = refKey(ref);
    const { said, line } = verdictNews(this.said.get(key), ref, evaluation, listed);
    if (said) this.said.set(key, said);
    return line;
  }

  private write(line: Line): void {
    this.deps.log[line.level](line.fields, line.text);
  }

  snapshot(): AgentSnapshot {
    const counts = new Map<string, AgentSnapshot["objects"][number]>();
    for (const { ref, evaluation } of this.store.items()) {
      const key = `${ref.kind}/${evaluation.verdict}/${ref.cluster ?? ""}`;
      const entry = counts.get(key) ?? { ...(ref.cluster === undefined ? {} : { cluster: ref.cluster }), kind: ref.kind, verdict: evaluation.verdict, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    const clusters = [...this.clusters.values()];
    return {
      signal: this.shown,
      lastTransitionAt: this.lastTransitionAt,
      objects: [...counts.values()],
      board: this.board.snapshot(),
      watching: clusters.every((c) => c.watching),
      watchRestarts: clusters.reduce((n, c) => n + c.stats.watchRestarts, 0),
      events: clusters.reduce((n, c) => n + c.stats.events, 0),
      ...(this.clusters.has("") ? {} : { clusters: clusters.map((c) => ({ name: c.name!, state: c.view.state })) }),
    };
  }
}
