// The source arrow for the Flux controllers themselves: list, then watch, the leader-election
// Leases and the Deployments in the Flux namespace, keeping a few fields of each (status/
// controllers.ts judges them). A Lease renewal every few seconds is one small event: it is
// projected and handed on, nothing more.
import type { KubeClient } from "../kube/client.ts";
import type { Log } from "../log/logger.ts";
import { backoff as makeBackoff } from "../shared/backoff.ts";
import { messageOf, statusOf } from "./errors.ts";

export type ControllerResource = "leases" | "deployments";

/** The few fields of a Lease the agent reads. */
export interface LeaseView {
  name: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
  holderIdentity?: string;
}

/** The few fields of a Deployment the agent reads. */
export interface DeploymentView {
  name: string;
  replicas: number;
  availableReplicas: number;
  /** The Available condition's status, if any. */
  available?: string;
}

const PATHS: Record<ControllerResource, (ns: string) => string> = {
  leases: (ns) => `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/leases`,
  deployments: (ns) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`,
};

/**
 * The Role rules (in the Flux namespace) that let the agent do exactly what this file does:
 * list and watch, never get. The chart, the NixOS docs and the 403 fix text all come from here.
 */
export const CONTROLLER_RULES: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [
  { apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "watch"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["list", "watch"] },
];

const ruleText = (r: (typeof CONTROLLER_RULES)[number]) => `{apiGroups: ${JSON.stringify(r.apiGroups)}, resources: ${JSON.stringify(r.resources)}, verbs: ${JSON.stringify(r.verbs).replaceAll(",", ", ")}}`;

/** The fix for a 403 on them, as a person would paste it. */
export function controllersRule(namespace: string): string {
  return `a Role in namespace ${namespace} with the rules ${CONTROLLER_RULES.map(ruleText).join(" and ")}, bound to fluxlight's service account`;
}

export interface ControllersSink {
  /** A complete list: everything not in `views` is gone. */
  leases(views: LeaseView[]): void;
  lease(view: LeaseView, deleted: boolean): void;
  deployments(views: DeploymentView[]): void;
  deployment(view: DeploymentView, deleted: boolean): void;
  /** Whether `resource` can be read: undefined = yes, else the error (403: `forbidden`). */
  readable(resource: ControllerResource, problem?: { forbidden: boolean; error: string }): void;
}

export function projectLease(o: unknown): LeaseView {
  const md = (o as { metadata?: { name?: unknown } } | null)?.metadata;
  const spec = (o as { spec?: Record<string, unknown> } | null)?.spec ?? {};
  return {
    name: String(md?.name ?? ""),
    renewTime: typeof spec.renewTime === "string" ? spec.renewTime : undefined,
    leaseDurationSeconds: typeof spec.leaseDurationSeconds === "number" ? spec.leaseDurationSeconds : undefined,
    holderIdentity: typeof spec.holderIdentity === "string" ? spec.holderIdentity : undefined,
  };
}

export function projectDeployment(o: unknown): DeploymentView {
  const md = (o as { metadata?: { name?: unknown } } | null)?.metadata;
  const spec = (o as { spec?: { replicas?: unknown } } | null)?.spec;
  const status = (o as { status?: { availableReplicas?: unknown; conditions?: unknown } } | null)?.status;
  const conditions = Array.isArray(status?.conditions) ? (status.conditions as { type?: unknown; status?: unknown }[]) : [];
  const available = conditions.find((c) => c?.type === "Available")?.status;
  return {
    name: String(md?.name ?? ""),
    replicas: typeof spec?.replicas === "number" ? spec.replicas : 1,
    availableReplicas: typeof status?.availableReplicas === "number" ? status.availableReplicas : 0,
    available: typeof available === "string" ? available : undefined,
  };
}

export interface ControllersSource {
  stop(): void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

export function watchControllers(api: KubeClient, namespace: string, sink: ControllersSink, opts: { log: Log; watchTimeoutSeconds?: number }): ControllersSource {
  const stopper = new AbortController();
  const leases = new ResourceWatch(api, PATHS.leases(namespace), projectLease, stopper.signal, opts.watchTimeoutSeconds ?? 300);
  const deployments = new ResourceWatch(api, PATHS.deployments(namespace), projectDeployment, stopper.signal, opts.watchTimeoutSeconds ?? 300);
  void run("leases", leases, { replace: (v) => sink.leases(v), one: (v, d) => sink.lease(v, d) }, sink, opts.log, namespace, stopper.signal);
  void run("deployments", deployments, { replace: (v) => sink.deployments(v), one: (v, d) => sink.deployment(v, d) }, sink, opts.log, namespace, stopper.signal);
  return { stop: () => stopper.abort() };
}

interface Handlers<T> {
  replace(views: T[]): void;
  one(view: T, deleted: boolean): void;
}

/** List, then watch from the list's resourceVersion; a closed watch resumes, 410 relists, an ERROR event or a failure backs off (a 403 waits a minute). */
async function run<T>(resource: ControllerResource, w: ResourceWatch<T>, on: Handlers<T>, sink: ControllersSink, log: Log, namespace: string, signal: AbortSignal): Promise<void> {
  const retry = makeBackoff(1000, 30_000);
  let failing = false;
  while (!signal.aborted) {
    try {
      const { views, resourceVersion } = await w.list();
      if (failing) sink.readable(resource);
      failing = false;
      on.replace(views);
      await w.watchAll(resourceVersion, on.one, retry);
    } catch (err) {
      if (signal.aborted) return;
      const status = statusOf(err);
      const forbidden = status === 403 || status === 401;
      if (!failing) sink.readable(resource, { forbidden, error: status ? `HTTP ${status}: ${messageOf(err)}` : messageOf(err) });
      failing = true;
      log.debug({ event: "api-error", during: "watch", resource: `${resource} in ${namespace}`, status, error: messageOf(err) }, `reading ${resource} in ${namespace} failed: ${messageOf(err)}`);
      await sleep(forbidden ? 60_000 : retry.next(), signal);
    }
  }
}

/** One namespaced collection, list and watch, each item projected as it arrives. */
class ResourceWatch<T> {
  constructor(
    private readonly api: KubeClient,
    private readonly path: string,
    private readonly project: (o: unknown) => T,
    private readonly signal: AbortSignal,
    private readonly timeoutSeconds: number,
  ) {}

  async list(): Promise<{ views: T[]; resourceVersion: string }> {
    const views: T[] = [];
    const page = (await this.api.getList(this.path, { limit: 500 }, (item) => views.push(this.project(item)))) as { metadata?: { resourceVersion?: string } };
    return { views, resourceVersion: page.metadata?.resourceVersion ?? "" };
  }

  /** Watches until an ERROR event (then returns, to relist) or a failure (throws); a clean close resumes. */
  async watchAll(from: string, one: (view: T, deleted: boolean) => void, retry: { next(): number; reset(): void }): Promise<void> {
    let rv = from;
    for (;;) {
      let gone = false;
      let refusal: Error | undefined;
      let delivered = 0;
      const started = Date.now();
      const event = (type: string, object: unknown): boolean | void => {
        if (type === "ERROR") {
          const code = (object as { code?: unknown } | null)?.code;
          if (code === 410) gone = true; // expired: relist
          else refusal = Object.assign(new Error(`the watch sent an error event: ${messageOf({ body: object })}`), { code });
          return false;
        }
        delivered += 1;
        const v = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
        if (typeof v === "string") rv = v;
        if (type !== "BOOKMARK") one(this.project(object), type === "DELETED");
      };
      const query = { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds };
      await this.api.watch(this.path, query, { established() {}, event }, { signal: this.signal, idleTimeoutMs: (this.timeoutSeconds + 30) * 1000 });
      if (this.signal.aborted) return;
      if (refusal) throw refusal; // a failure: run() backs off
      // A watch that ends at once with nothing in it is a failure, not a reason to ask again at
      // once (nor to relist at once); only a watch that proved itself resets the backoff.
      if (delivered > 0 || Date.now() - started >= 1000) retry.reset();
      else await sleep(retry.next(), this.signal);
      if (gone) return;
    }
  }
}
