// Which of the wanted Flux kinds this cluster serves, read from API discovery as kubectl does,
// so that a cluster without Helm (or with an older Flux) is watched for what it has.
import type { KubeClient } from "../kube/client.ts";
import type { Connectivity } from "../model.ts";
import type { Log } from "../log/logger.ts";
import { backoff } from "../shared/backoff.ts";
import { resourceName, type WatchedKind } from "./kinds.ts";
import { classify, messageOf, statusOf } from "./errors.ts";

export interface Discovered {
  served: WatchedKind[];
  missing: WatchedKind[];
}

/**
 * Asks `/apis/{group}/{version}` once per group/version. A 404 means the group/version is not
 * served (no CRD); any other error is thrown, for the caller to retry with backoff.
 */
export async function discoverKinds(api: KubeClient, wanted: readonly WatchedKind[]): Promise<Discovered> {
  const byGroupVersion = new Map<string, Set<string> | undefined>();
  for (const kind of wanted) {
    const gv = `${kind.group}/${kind.version}`;
    if (byGroupVersion.has(gv)) continue;
    try {
      const list = (await api.getJson(`/apis/${gv}`)) as { resources?: { name?: unknown }[] } | null;
      const names = (Array.isArray(list?.resources) ? list.resources : []).map((r) => r?.name);
      byGroupVersion.set(gv, new Set(names.filter((n): n is string => typeof n === "string")));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      byGroupVersion.set(gv, undefined);
    }
  }
  const served: WatchedKind[] = [];
  const missing: WatchedKind[] = [];
  for (const kind of wanted) {
    const plurals = byGroupVersion.get(`${kind.group}/${kind.version}`);
    (plurals?.has(kind.plural) ? served : missing).push(kind);
  }
  return { served, missing };
}

/** What one look found: the kinds to start watching, and discovery's part of the connectivity (undefined: fine). */
export interface Look {
  fresh: WatchedKind[];
  connectivity: Connectivity | undefined;
  /** Set after a failure: look again this soon. */
  retryInMs?: number;
}

/**
 * Discovery, looked at again and again (a Flux component installed later is then watched without
 * a restart): says which kinds are new, which are skipped, and what went wrong, once each.
 */
export class Discovery {
  private readonly retry = backoff(500, 5000);
  private skipped = "";

  constructor(
    private readonly api: KubeClient,
    private readonly wanted: readonly WatchedKind[],
    private readonly opts: { namespaces: readonly string[]; selector?: string; log: Log; now: () => number },
  ) {}

  /** `watched`: whether a kind is already being watched. Never throws. */
  async look(watched: (kind: WatchedKind) => boolean): Promise<Look> {
    let found: Discovered;
    try {
      found = await discoverKinds(this.api, this.wanted);
    } catch (err) {
      return this.failed(err);
    }
    this.retry.reset();
    this.since = undefined;
    const { log, namespaces, selector } = this.opts;
    const fresh = found.served.filter((k) => !watched(k));
    if (fresh.length) {
      const where = namespaces.length ? "namespaces " + namespaces.join(", ") : "all namespaces";
      log.info({ event: "watching", kinds: fresh.map((k) => k.kind), namespaces, selector: selector ?? null }, `watching ${fresh.map((k) => k.kind).join(", ")} in ${where}${selector ? " with labels " + selector : ""}`);
    }
    const missing = found.missing.filter((k) => !watched(k));
    const skipped = missing.map((k) => k.kind).join(",");
    if (skipped && skipped !== this.skipped) {
      log.info({ event: "kinds-skipped", kinds: missing.map((k) => k.kind), reason: "CRD not installed" }, `not watching ${missing.map(resourceName).join(", ")}: the cluster does not serve them (CRD not installed)`);
    }
    this.skipped = skipped;
    const none = found.served.length === 0 && !this.wanted.some(watched);
    return { fresh, connectivity: none ? servesNone(this.wanted) : undefined };
  }

  private failed(err: unknown): Look {
    const retryInMs = this.retry.next();
    const c = classify(err, this.wanted[0]!, this.opts.now(), this.since);
    this.since = c.state === "unreachable" ? c.since : undefined;
    this.opts.log.warn({ event: "api-error", during: "discovery", cause: c.state, error: messageOf(err), retryInMs }, `API discovery failed: ${messageOf(err)}; retrying in ${retryInMs} ms`);
    return { fresh: [], connectivity: c, retryInMs };
  }

  private since: number | undefined;
}

/** The cluster serves none of the wanted kinds: no Flux here. */
export function servesNone(wanted: readonly WatchedKind[]): Connectivity {
  return {
    state: "missing-crd",
    error: `the cluster serves none of ${wanted.map(resourceName).join(", ")}`,
    fix: "install Flux, or point --kubeconfig/--context at the cluster that runs it",
  };
}
