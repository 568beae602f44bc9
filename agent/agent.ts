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
import type { ControllerDown } from "./signal/index.ts";
import { acrossClusters } from "./source/connectivity.ts";
import { watchPlan } from "./source/light-scope.ts";
import { ScopedStore, scopeKey, type Scope } from "./source/store.ts";
import { createLamp } from "./light/lamp.ts";
import { HOST_LOST } from "./light/looks.ts";
import { BoardLink, type BoardState } from "./link/board.ts";
import type { SerialAccess, UsbId } from "./link/ports.ts";
import { deletedLine, listedLine, signalLine, verdictNews, type Line, type Said } from "./log/story.ts";
import type { Log } from "./log/logger.ts";
import { systemClock, type Clock, type TimerHandle } from "./shared/clock.ts";
import { ClusterWatch, type ClusterSink } from "./cluster.ts";
import { Lights, type LightSettings, type LightSnapshot, type Observed } from "./lights.ts";

export interface AgentSettings {
  /** Each light's LED and the objects it stands for (./lights.ts); what is watched is the union of their scopes. */
  lights: LightSettings[];
  serial: string;
  usbIds: UsbId[];
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
  /** What each light shows, in the order of the settings' lights. */
  lights: LightSnapshot[];
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
  /** The signal the first light shows (the only one without a lights file); undefined before the first decision. */
  readonly signal: Signal | undefined;
  snapshot(): AgentSnapshot;
  /** Switch the LED off and let go of the board and the cluster. */
  stop(): Promise<void>;
}

export function startAgent(settings: AgentSettings, deps: AgentDeps): Agent {
  const shell = new Shell(settings, deps);
  shell.start();
  return {
    get signal() {
      return shell.lights.snapshot()[0]?.signal;
    },
    snapshot: () => shell.snapshot(),
    stop: () => shell.stop(),
  };
}

class Shell implements ClusterSink {
  /** Every light's signal state; each hears only its own scope's objects (./lights.ts). */
  readonly lights: Lights;
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
    this.lights = new Lights(settings.lights, { progressGrace: settings.progressGraceMs, stuckAfter: settings.stuckAfterMs });
    const { serial, usbIds, heartbeatTimeoutMs } = settings;
    const lights = settings.lights.map((l, i) => ({ name: l.name, led: l.led, field: l.ledField ?? `--config: lights[${i}].led` }));
    this.board = new BoardLink({ serial, usbIds, lights, hostLost: HOST_LOST, heartbeatTimeoutMs, access: deps.access, log: deps.log, clock: this.clock, drawOn: createLamp, onFatal: deps.onFatal });
    // What is watched: the union of the lights' scopes, one list+watch per (kind, namespace).
    const plan = watchPlan(settings.lights);
    const selectors = new Set(settings.lights.map((l) => l.selector));
    const selector = selectors.size === 1 ? [...selectors][0] : undefined;
    const { kinds, namespaces, scopesOf } = plan;
    const { fluxNamespace, apiProbeIntervalMs } = settings;
    const { rediscoverMs, requestDeadlineMs } = deps;
    const accesses = Array.isArray(deps.cluster) ? (deps.cluster as readonly ClusterAccess[]) : [deps.cluster as ClusterAccess];
    for (const access of accesses) {
      // One cluster stays unnamed: its logs, metrics and objects read as they always have.
      const name = accesses.length > 1 ? access.context : undefined;
      if (this.clusters.has(name ?? "")) throw new Error(`context ${access.context} is given twice`);
      const watch = new ClusterWatch(access, { name, kinds, namespaces, selector, scopesOf, fluxNamespace, apiProbeIntervalMs, rediscoverMs, requestDeadlineMs }, this, { log: deps.log, clock: this.clock });
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
    // One signal event per light for the whole list: per item, 10,000 objects took minutes.
    this.route(scope, observed, this.store.replace(scope, observed).deleted);
    const lines = observed.map(({ ref, evaluation }) => this.news(ref, evaluation, first));
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
    this.route(scope, [], this.store.drop(scope).deleted);
  }

  connectivity(): void {
    this.flush();
    // Each light: the view of the clusters it covers (all of them when it names none).
    this.lights.connectivity((clusters) => this.connectivityOf(clusters.length ? clusters : undefined), this.clock.now());
    this.reconsider();
  }

  controllers(): void {
    const t = this.clock.now();
    this.lights.controllers(this.controllersDownAt(t), t);
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
    const lines: Line[] = [];
    for (const { ref, evaluation } of this.unsaid) {
      const line = this.news(ref, evaluation, false);
      if (line) lines.push(line);
    }
    this.unsaid.length = 0;
    // One cluster's share of the burst at a time: each light matches per cluster (one cluster: one batch).
    const byCluster = new Map<string | undefined, { scope: Scope; observed: Observed[]; gone: ObjectRef[] }>();
    for (const { scope, ref, evaluation } of this.burst.values()) {
      let batch = byCluster.get(scope.cluster);
      if (!batch) byCluster.set(scope.cluster, (batch = { scope, observed: [], gone: [] }));
      if (evaluation) {
        this.store.upsert(scope, { ref, evaluation });
        batch.observed.push({ ref, evaluation });
      } else if (this.store.delete(scope, ref)) {
        batch.gone.push(ref);
        if (this.said.has(refKey(ref))) lines.push(deletedLine(ref));
      }
    }
    this.burst.clear();
    for (const { scope, observed, gone } of byCluster.values()) this.route(scope, observed, gone);
    // The light first, the words after (a log line costs about a quarter of a millisecond).
    this.reconsider(() => lines.forEach((line) => this.write(line)));
  }

  // --- the signal ----------------------------------------------------------------------------

  /**
   * A list or a burst of one scope's cluster, as one event per light it concerns. Labels are read
   * by the lights' selectors here and not kept: the store holds thousands of objects.
   */
  private route(scope: Scope, observed: Observed[], gone: ObjectRef[]): void {
    this.lights.observe(scope.cluster ?? this.onlyContext, observed, gone, this.clock.now());
    for (const { ref } of observed) delete (ref as ObjectView).labels;
    for (const ref of gone) this.said.delete(refKey(ref));
  }

  /** The context of the one unnamed cluster (a light's `clusters` may name it), else undefined. */
  private get onlyContext(): string | undefined {
    const cluster = this.deps.cluster;
    return Array.isArray(cluster) ? (cluster.length === 1 ? (cluster[0] as ClusterAccess).context : undefined) : (cluster as ClusterAccess).context;
  }

  /** Decide every light, draw each change, and arm the one timer the lights ask for. `beforeSignalLine`: lines that explain the changes. */
  private reconsider(beforeSignalLine?: () => void): void {
    const t = this.clock.now();
    if (this.lights.anyControllerDown) this.lights.controllers(this.controllersDownAt(t), t); // the evidence in today's words
    const { changes, nextWakeAt: at } = this.lights.decide(t);
    for (const { index, change } of changes) this.board.show(index, change.to);
    beforeSignalLine?.();
    const named = this.settings.lights.length > 1;
    for (const { name, change } of changes) this.write(signalLine(change, name, named));
    this.clock.clear(this.wake);
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
      lights: this.lights.snapshot(),
      objects: [...counts.values()],
      board: this.board.snapshot(),
      watching: clusters.every((c) => c.watching),
      watchRestarts: clusters.reduce((n, c) => n + c.stats.watchRestarts, 0),
      events: clusters.reduce((n, c) => n + c.stats.events, 0),
      ...(this.clusters.has("") ? {} : { clusters: clusters.map((c) => ({ name: c.name!, state: c.view.state })) }),
    };
  }
}
