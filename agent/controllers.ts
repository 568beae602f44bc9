// The shell for "are the Flux controllers running?": source/controllers.ts reads their Leases and
// Deployments, status/controllers.ts judges each controller, and the signal hears only the set of
// controllers not running. A Lease renewal (every few seconds per controller) updates one record
// and re-arms one timer: it never redraws the light or writes a log line unless a controller's
// state changes.
import type { KubeClient } from "./kube/client.ts";
import type { Log } from "./log/logger.ts";
import type { Clock, TimerHandle } from "./shared/clock.ts";
import type { ControllerDown } from "./signal/index.ts";
import { controllersRule, watchControllers as watchSource, type ControllerResource, type ControllersSink, type ControllersSource, type DeploymentView, type LeaseView } from "./source/controllers.ts";
import { CONTROLLER_OF, judgeController, leaseNeverRenewed, observeDeployment, observeLease, type ControllerHealth, type ControllerSeen, type DeploymentSeen, type LeaseSeen } from "./status/controllers.ts";

export interface ControllersDeps {
  log: Log;
  /** The agent's clock: stamps what was seen and times the one wake-up for the next deadline. */
  clock: Clock;
  /** The Flux kinds being watched now. */
  watchedKinds(): ReadonlySet<string>;
  /** The cluster's context name once several are watched: it names the cluster in every message. */
  cluster?: string;
  /** The controllers not running changed, or their evidence did (`downAt` says which they are now). */
  report(): void;
}

const SUFFIX = "-leader-election";

export class ControllersWatch implements ControllersSink {
  private readonly leaseSeen = new Map<string, LeaseSeen>(); // by controller name
  private readonly deploymentSeen = new Map<string, DeploymentSeen>();
  private readonly said = new Map<string, ControllerHealth["state"]>();
  private readonly staticLeaseLogged = new Set<string>();
  private readonly source: ControllersSource;
  private timer: TimerHandle | undefined;
  private forbiddenLogged = false;
  private paused = false;
  /** The controllers not running, as last told. */
  private down: ControllerDown[] = [];

  constructor(
    api: KubeClient,
    private readonly namespace: string,
    private readonly deps: ControllersDeps,
  ) {
    this.source = watchSource(api, namespace, this, { log: deps.log });
  }

  stop(): void {
    this.deps.clock.clear(this.timer);
    this.source.stop();
  }

  /**
   * The API server stopped answering (`false`) or answers again (`true`). While it is silent no
   * renewal can be seen, so no controller is judged; once it answers, each Lease seen renewing
   * gets a fresh lease duration to show its next renewal (no red flash after a partition).
   */
  apiAnswering(answering: boolean): void {
    if (answering === !this.paused) return;
    this.paused = !answering;
    if (this.paused) return this.deps.clock.clear(this.timer);
    const t = this.deps.clock.now();
    for (const [name, l] of this.leaseSeen) if (l.changedAt !== undefined) this.leaseSeen.set(name, { ...l, changedAt: Math.max(l.changedAt, t) });
    this.check();
  }

  /**
   * The controllers not running, their evidence worded at `t` (asked before each decision while one
   * is down); while the API server is silent nothing can be judged: the down set as last told.
   */
  downAt(t: number): readonly ControllerDown[] {
    if (!this.paused) this.down = this.judgeDown(t);
    return this.down;
  }

  /** What is known now of each controller that matters. */
  health(): Map<string, ControllerHealth> {
    const t = this.deps.clock.now();
    return new Map([...this.relevant()].map((name) => [name, judgeController(this.seen(name), t)]));
  }

  /** Judge every controller that matters again; log and tell the signal only what changed. */
  check(): void {
    if (this.paused) return;
    const t = this.deps.clock.now();
    let changed = false;
    let wakeAt = Infinity;
    for (const name of this.relevant()) {
      const c = this.seen(name);
      const h = judgeController(c, t);
      if (h.state !== "down" && h.recheckAt !== undefined) wakeAt = Math.min(wakeAt, h.recheckAt);
      if (c.lease && leaseNeverRenewed(c.lease, t)) this.sayStatic(name, c.lease);
      changed = this.say(name, h) || changed;
    }
    this.deps.clock.clear(this.timer);
    this.timer = wakeAt === Infinity ? undefined : this.deps.clock.set(() => this.check(), Math.max(0, wakeAt - t));
    if (!changed && this.down.length === 0) return;
    this.down = this.judgeDown(t);
    this.deps.report();
  }

  // ---- the sink the source reports to ------------------------------------------------------

  leases(views: LeaseView[]): void {
    const t = this.deps.clock.now();
    const fresh = new Map<string, LeaseSeen>();
    for (const v of views) {
      const name = controllerOfLease(v.name);
      if (name) fresh.set(name, observeLease(this.leaseSeen.get(name), v, t));
    }
    replaceAll(this.leaseSeen, fresh);
    this.check();
  }

  lease(view: LeaseView, deleted: boolean): void {
    const name = controllerOfLease(view.name);
    if (!name) return;
    if (deleted) this.leaseSeen.delete(name);
    else this.leaseSeen.set(name, observeLease(this.leaseSeen.get(name), view, this.deps.clock.now()));
    this.check();
  }

  deployments(views: DeploymentView[]): void {
    const t = this.deps.clock.now();
    replaceAll(this.deploymentSeen, new Map(views.map((v) => [v.name, observeDeployment(this.deploymentSeen.get(v.name), v, t)])));
    this.check();
  }

  deployment(view: DeploymentView, deleted: boolean): void {
    if (deleted) this.deploymentSeen.delete(view.name);
    else this.deploymentSeen.set(view.name, observeDeployment(this.deploymentSeen.get(view.name), view, this.deps.clock.now()));
    this.check();
  }

  readable(resource: ControllerResource, problem?: { forbidden: boolean; error: string }): void {
    if (!problem?.forbidden || this.forbiddenLogged) return;
    this.forbiddenLogged = true;
    const fix = controllersRule(this.namespace);
    this.deps.log.warn(
      { event: "controllers-forbidden", namespace: this.namespace, resource, error: problem.error, fix },
      `cannot read ${resource} in ${this.namespace} (${problem.error}): whether the Flux controllers run is unknown, and the light follows the Flux objects alone; to fix, grant ${fix}`,
    );
  }

  // ---- helpers -----------------------------------------------------------------------------

  private relevant(): Set<string> {
    return new Set([...this.deps.watchedKinds()].map((k) => CONTROLLER_OF[k]).filter((c): c is string => c !== undefined));
  }

  private seen(name: string): ControllerSeen {
    return { name, namespace: this.namespace, lease: this.leaseSeen.get(name), deployment: this.deploymentSeen.get(name) };
  }

  private judgeDown(t: number): ControllerDown[] {
    const down: ControllerDown[] = [];
    for (const name of [...this.relevant()].sort()) {
      const h = judgeController(this.seen(name), t);
      if (h.state === "down") down.push({ namespace: this.namespace, name, since: h.since, message: this.inCluster(h.message), ...(this.deps.cluster === undefined ? {} : { cluster: this.deps.cluster }) });
    }
    return down;
  }

  /** One line when a controller stops or runs again; true when the signal must hear of it. */
  private say(name: string, h: ControllerHealth): boolean {
    const before = this.said.get(name);
    if (before === h.state) return false;
    this.said.set(name, h.state);
    if (h.state === "down") {
      const message = this.inCluster(h.message);
      this.deps.log.warn({ event: "controller-down", namespace: this.namespace, controller: name, message }, message);
      return true;
    }
    if (before !== "down") return false;
    this.deps.log.info({ event: "controller-running", namespace: this.namespace, controller: name }, this.inCluster(`${name} is running again`));
    return true;
  }

  private inCluster(message: string): string {
    return this.deps.cluster === undefined ? message : `cluster ${this.deps.cluster}: ${message}`;
  }

  private sayStatic(name: string, lease: LeaseSeen): void {
    if (this.staticLeaseLogged.has(name)) return;
    this.staticLeaseLogged.add(name);
    this.deps.log.info(
      { event: "lease-static", namespace: this.namespace, name: lease.view.name, controller: name },
      `lease ${this.namespace}/${lease.view.name} has not been renewed since fluxlight started watching it (leader election off, or a leftover): ${name} is judged by its Deployment alone`,
    );
  }
}

function controllerOfLease(name: string): string | undefined {
  return name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : undefined;
}

function replaceAll<V>(target: Map<string, V>, fresh: Map<string, V>): void {
  target.clear();
  for (const [k, v] of fresh) target.set(k, v);
}
