// One cluster, watched: the shell's part for everything that belongs to a single kubeconfig
// context. Its discovery (which Flux kinds are served, looked at again now and then), a reflector
// per scope, the API probe (a silent server is `unreachable`), the Flux controllers' watch, and the
// cluster's own view (the policy in ./source/connectivity.ts combines its scopes', discovery's and
// the probe's). It decides nothing: it reports objects, its connectivity and its controllers that
// are not running to a ClusterSink, and the shell (./agent.ts) keeps the store and the signal.
import type { ClusterAccess, KubeClient } from "./kube/client.ts";
import type { Connectivity, ObjectRef, ObjectView } from "./model.ts";
import type { ControllerDown } from "./signal/index.ts";
import type { Log } from "./log/logger.ts";
import type { Clock, TimerHandle } from "./shared/clock.ts";
import { fluxApi } from "./source/api.ts";
import { combine, isWatching } from "./source/connectivity.ts";
import { Discovery } from "./source/discovery.ts";
import { FLUX_KINDS, type WatchedKind } from "./source/kinds.ts";
import { probeApi, type ApiProbe } from "./source/probe.ts";
import { watchKind, type KindSource, type SourceSink } from "./source/reflector.ts";
import { scopeKey, type Scope } from "./source/store.ts";
import { ControllersWatch } from "./controllers.ts";

/** What one cluster reports to the shell; every object call names its scope (which names the cluster). */
export interface ClusterSink {
  /** A complete list of the scope: everything the scope held that is not in `views` is gone. */
  replace(scope: Scope, views: ObjectView[]): void;
  upsert(scope: Scope, view: ObjectView): void;
  remove(scope: Scope, ref: ObjectRef): void;
  /** The scope is no longer served (its CRD went away): its objects went with it. */
  drop(scope: Scope): void;
  /** The cluster's view as a whole changed (or may have). */
  connectivity(cluster: ClusterWatch): void;
  /** The cluster's Flux controllers that are not running changed (or their evidence did). */
  controllers(cluster: ClusterWatch): void;
}

export interface ClusterSettings {
  /** The kubeconfig context's name once several clusters are watched; absent with one. */
  name?: string;
  /** Kinds to watch; absent: every Flux kind the cluster serves. */
  kinds?: WatchedKind[];
  /** The namespaces watched (empty: all) and the lights' common selector, for the `watching` line. */
  namespaces: readonly string[];
  selector?: string;
  /** One kind's list+watches, a namespace and a selector each: the lights' union (source/light-scope.ts watchPlan). */
  scopesOf(kind: string): readonly { namespace?: string; selector?: string }[];
  /** Where the Flux controllers' Deployments and Leases are; default flux-system. */
  fluxNamespace?: string;
  /** How often (and with what deadline) to ask whether the API server answers; default 10 s. */
  apiProbeIntervalMs?: number;
  /** How often to look again for Flux kinds installed after start-up; default 2 min. */
  rediscoverMs?: number;
  /** How long a list page may take in all (tests shorten it). */
  requestDeadlineMs?: number;
}

export class ClusterWatch implements SourceSink {
  readonly name: string | undefined;
  /** Each scope's view of the cluster, discovery's and the probe's: combined into the cluster's one. */
  private readonly views = new Map<string, Connectivity>();
  private readonly sources = new Map<string, KindSource>();
  private readonly watchedKinds = new Set<string>();
  private readonly api: KubeClient;
  private readonly discovery: Discovery;
  /** Are the Flux controllers of the watched kinds running (their Leases and Deployments)? */
  private readonly controllerWatch: ControllersWatch;
  /** Does the API server answer at all (a partition sends no FIN, no RST)? */
  private probe: ApiProbe | undefined;
  private discoveryTimer: TimerHandle | undefined;
  private stopped = false;
  private readonly log: Log;

  constructor(
    access: ClusterAccess,
    private readonly settings: ClusterSettings,
    private readonly sink: ClusterSink,
    private readonly deps: { log: Log; clock: Clock },
  ) {
    this.name = settings.name;
    // Every line about this cluster carries its name once there are several.
    this.log = this.name === undefined ? deps.log : deps.log.child({ cluster: this.name });
    this.api = fluxApi(access, { requestDeadlineMs: settings.requestDeadlineMs });
    this.controllerWatch = new ControllersWatch(this.api, settings.fluxNamespace ?? "flux-system", {
      log: this.log,
      clock: deps.clock,
      watchedKinds: () => this.watchedKinds,
      report: () => this.sink.controllers(this),
      ...(this.name === undefined ? {} : { cluster: this.name }),
    });
    const { namespaces, selector } = settings;
    this.discovery = new Discovery(this.api, settings.kinds ?? FLUX_KINDS, { namespaces, selector, log: this.log, now: () => deps.clock.now() });
  }

  start(): void {
    this.views.set("discovery", { state: "listing" });
    void this.discover();
    this.probe = probeApi(this.api, { answered: () => this.apiAnswered(), silent: (sentAt, error) => this.apiSilent(sentAt, error) }, { intervalMs: this.settings.apiProbeIntervalMs ?? 10_000, clock: this.deps.clock });
  }

  stop(): void {
    this.stopped = true;
    this.deps.clock.clear(this.discoveryTimer);
    this.probe?.stop();
    this.controllerWatch.stop();
    for (const s of this.sources.values()) s.stop();
  }

  /** The cluster's one view: the worst of its parts (./source/connectivity.ts). */
  get view(): Connectivity {
    return combine(this.views.values());
  }

  /** Every watched scope has completed a list and its watch is running. */
  get watching(): boolean {
    return isWatching(this.views.values());
  }

  get stats(): { watchRestarts: number; events: number } {
    const sources = [...this.sources.values()];
    return { watchRestarts: sources.reduce((n, s) => n + s.stats.watchRestarts, 0), events: sources.reduce((n, s) => n + s.stats.events, 0) };
  }

  /** The controllers not running, their evidence worded at `t` (while the API is silent: as last reported). */
  controllersDownAt(t: number): readonly ControllerDown[] {
    return this.controllerWatch.downAt(t);
  }

  /** Discovery decides which kinds to watch; it runs again now and then, so that a Flux component installed later is picked up. */
  private async discover(): Promise<void> {
    const found = await this.discovery.look((kind) => this.sources.has(scopeKey(this.scopesOf(kind)[0]!)));
    for (const kind of found.fresh) this.watch(kind);
    if (found.fresh.length) this.controllerWatch.check();
    if (found.connectivity) this.views.set("discovery", found.connectivity);
    else this.views.delete("discovery");
    this.sink.connectivity(this);
    if (!this.stopped) this.discoveryTimer = this.deps.clock.set(() => void this.discover(), found.retryInMs ?? this.settings.rediscoverMs ?? 120_000);
  }

  private scopesOf(kind: WatchedKind): Scope[] {
    const cluster = this.name === undefined ? {} : { cluster: this.name };
    return this.settings.scopesOf(kind.kind).map(({ namespace, selector }) => ({ ...cluster, kind: kind.kind, namespace, selector }));
  }

  private watch(kind: WatchedKind): void {
    this.watchedKinds.add(kind.kind);
    for (const scope of this.scopesOf(kind)) {
      const key = scopeKey(scope);
      if (this.sources.has(key)) continue;
      this.views.set(key, { state: "listing" });
      this.sources.set(key, watchKind(this.api, kind, scope, this, { log: this.log, now: () => this.deps.clock.now() }));
    }
  }

  // --- the sink the reflectors report to: objects go on to the shell, named by their cluster ---

  replace(scope: Scope, views: ObjectView[]): void {
    if (this.name !== undefined) for (const view of views) view.cluster = this.name;
    this.sink.replace(scope, views);
  }

  upsert(scope: Scope, view: ObjectView): void {
    if (this.name !== undefined) view.cluster = this.name;
    this.sink.upsert(scope, view);
  }

  remove(scope: Scope, ref: ObjectRef): void {
    this.sink.remove(scope, this.name === undefined ? ref : { ...ref, cluster: this.name });
  }

  connectivity(scope: Scope, c: Connectivity): void {
    if (c.state === "missing-crd") this.sink.drop(scope); // the CRD went away under us: its objects went with it
    this.views.set(scopeKey(scope), c);
    this.sink.connectivity(this);
  }

  // --- the probe: a silent API server is `unreachable` (held for the grace like any outage) ---

  /** " of cluster NAME" in a sentence, once several clusters are watched. */
  private get of(): string {
    return this.name === undefined ? "" : ` of cluster ${this.name}`;
  }

  private apiAnswered(): void {
    if (!this.views.has("probe")) return;
    this.controllerWatch.apiAnswering(true);
    this.views.delete("probe");
    this.log.info({ event: "api-recovered", server: this.api.server.host }, `the API server ${this.api.server.host}${this.of} answers again`);
    this.sink.connectivity(this);
  }

  private apiSilent(sentAt: number, error: string): void {
    if (this.views.has("probe")) return;
    this.log.warn({ event: "api-silent", server: this.api.server.host, error }, `the API server${this.of} does not answer: ${error}`);
    this.views.set("probe", { state: "unreachable", since: sentAt, error });
    // Every scope lists again once the server answers: what its held watch would replay on heal
    // could arrive after the probe's answer, and the light would call a stale view the truth.
    for (const s of this.sources.values()) s.partitioned(sentAt, error);
    this.controllerWatch.apiAnswering(false);
    this.sink.connectivity(this);
  }
}
