// `fluxlight status`: one look at the cluster, as `flux get all -A` gives it, plus fluxlight's
// verdict on each object and the signal the light would show. The shell: it gathers the views
// and writes what ./status-report.ts makes of them. Exit 0 ok, 1 failed, 3 progressing or no
// view of the cluster, 2 a usage or configuration error.
import { serverText, type ClusterAccess, type KubeClient } from "../kube/client.ts";
import { fluxApi } from "../source/api.ts";
import type { Connectivity, ObjectView } from "../model.ts";
import { acrossClusters, combine } from "../source/connectivity.ts";
import { discoverKinds, servesNone } from "../source/discovery.ts";
import { classify, messageOf, statusOf } from "../source/errors.ts";
import { FLUX_KINDS, findKind, notAKind, resourceName, type WatchedKind } from "../source/kinds.ts";
import { listKind } from "../source/list.ts";
import { escapeText } from "../text/escape.ts";
import { loadClusters, unusedProxyEnv, UsageError } from "./kubeconfig.ts";
import { controllerRows, type ControllersReport } from "./status-controllers.ts";
import { controllersRule, projectDeployment, projectLease } from "../source/controllers.ts";
import { buildReport, exitCodeFor, formatStatusJson, formatStatusTable, EXIT, type ClusterStatus } from "./status-report.ts";

/** The fields of the CLI's Config the status command reads. */
export interface StatusConfig {
  kubeconfig?: string;
  /** Kubeconfig contexts, one cluster each (`in-cluster`: the pod's service account); empty: the current one. */
  contexts?: readonly string[];
  /** Kinds asked for (as findKind reads a name, or already found); undefined: every Flux kind the cluster serves. */
  kinds?: readonly (WatchedKind | string)[];
  /** Only these namespaces; empty: the whole cluster. */
  namespaces: readonly string[];
  selector?: string;
  output: "table" | "json";
  /** Where the Flux controllers run (their Deployments and Leases); default flux-system. */
  fluxNamespace?: string;
}

export interface StatusIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  now?: () => number;
  /** The whole look gets this long (default 45 s): a silent API server is named, not waited on. */
  deadlineMs?: number;
}

const STATUS_DEADLINE_MS = 45_000;

export async function runStatus(config: StatusConfig, io: StatusIO): Promise<number> {
  const now = io.now ?? Date.now;
  // Everything on stderr may quote the API server: escaped like the table.
  const say = (line: string) => io.stderr.write(`fluxlight: ${escapeText(line)}\n`);
  try {
    const accesses = loadClusters(config, io.env);
    const proxyEnv = unusedProxyEnv(io.env);
    if (proxyEnv.length) say(`${proxyEnv.join(", ")} set but not used: fluxlight reaches the API server directly, or through the kubeconfig cluster's proxy-url`);
    const wanted = resolveKinds(config.kinds);
    // Several clusters are looked at together, each named by its context (one stays unnamed).
    const several = accesses.length > 1;
    const looks = await Promise.all(accesses.map((kc) => look(kc, wanted, config, several ? (line) => say(`cluster ${kc.context}: ${line}`) : say, now, io.deadlineMs ?? STATUS_DEADLINE_MS)));
    let report;
    if (!several) {
      const [{ views, connectivity, controllers }] = looks as [Gathered];
      report = buildReport(views, connectivity, now(), controllers);
    } else {
      for (const [i, { views }] of looks.entries()) for (const view of views) view.cluster = accesses[i]!.context;
      const clusters: ClusterStatus[] = looks.map((g, i) => ({ name: accesses[i]!.context, server: serverText(accesses[i]!), view: g.connectivity, ...(g.controllers ? { controllers: g.controllers } : {}) }));
      const connectivity = acrossClusters(new Map(clusters.map((c) => [c.name, c.view])));
      report = buildReport(looks.flatMap((g) => g.views), connectivity, now(), undefined, clusters);
    }
    if (report.signal === "unknown") {
      const blind = looks.flatMap((g, i) => (g.connectivity.state === "synced" ? [] : [`${several ? `cluster ${accesses[i]!.context}: ` : ""}${whyUnknown(g.connectivity, report.decision.summary, accesses[i]!)}`]));
      say(`the light would show unknown: ${blind.length ? blind.join("; ") : whyUnknown({ state: "synced" }, report.decision.summary, accesses[0]!)}`);
    }
    io.stdout.write(config.output === "json" ? formatStatusJson(report) : formatStatusTable(report));
    return exitCodeFor(report.signal);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    say(err.message);
    return EXIT.usage;
  }
}

/** One cluster, looked at once within the deadline: a silent API server is named, not waited on. */
async function look(kc: ClusterAccess, wanted: WatchedKind[] | undefined, config: StatusConfig, say: (line: string) => void, now: () => number, deadlineMs: number): Promise<Gathered> {
  const api = fluxApi(kc);
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<Gathered>((resolve) => {
    timer = setTimeout(() => resolve({ views: [], connectivity: { state: "unreachable", since: now(), error: `no answer from ${api.server.host} within ${Math.round(deadlineMs / 1000)} s` } }), deadlineMs);
  });
  try {
    return await Promise.race([gather(api, wanted, config, say, now), silent]);
  } finally {
    clearTimeout(timer);
  }
}

function resolveKinds(kinds: StatusConfig["kinds"]): WatchedKind[] | undefined {
  if (kinds === undefined) return undefined;
  return kinds.map((k) => {
    if (typeof k !== "string") return k;
    const found = findKind(k);
    if (!found) throw new UsageError(`--kinds: ${notAKind(k)}`);
    return found;
  });
}

interface Gathered {
  views: ObjectView[];
  connectivity: Connectivity;
  controllers?: ControllersReport;
}

async function gather(api: KubeClient, asked: WatchedKind[] | undefined, config: StatusConfig, say: (line: string) => void, now: () => number): Promise<Gathered> {
  const wanted = asked ?? FLUX_KINDS;
  let served: WatchedKind[];
  try {
    const found = await discoverKinds(api, wanted);
    served = found.served;
    // A kind asked for by name that is not there deserves a word; the default "every kind" is
    // only a wish list (a cluster without helm-controller is fine).
    if (asked) for (const kind of found.missing) say(`skipping ${kind.kind}: the cluster does not serve ${resourceName(kind)} (CRD not installed)`);
  } catch (err) {
    return { views: [], connectivity: classify(err, wanted[0]!, now(), undefined) };
  }
  if (served.length === 0) {
    return {
      views: [],
      connectivity: servesNone(wanted),
    };
  }

  const scopes: (string | undefined)[] = config.namespaces.length ? [...config.namespaces] : [undefined];
  const views: ObjectView[] = [];
  const problems: Connectivity[] = [];
  let listedKinds = 0;
  for (const kind of served) {
    let listed = false;
    for (const namespace of scopes) {
      try {
        views.push(...(await listKind(api, kind, { namespace, labelSelector: config.selector })).views);
        listed = true;
      } catch (err) {
        // A selector the API server cannot parse is the user's to fix, not the cluster's.
        if (statusOf(err) === 400 && config.selector !== undefined) throw new UsageError(`--selector: the API server rejected ${JSON.stringify(config.selector)}: ${messageOf(err)}`);
        const c = classify(err, kind, now(), undefined, namespace);
        // The CRD went away between discovery and the list: the kind is simply not there.
        if (c.state === "missing-crd") {
          if (asked) say(`skipping ${kind.kind}: ${c.error}`);
          break;
        }
        problems.push(c);
        say(`cannot list ${resourceName(kind)}${namespace ? ` in namespace ${namespace}` : ""}: ${"error" in c ? c.error : messageOf(err)}`);
      }
    }
    if (listed) listedKinds++;
  }
  // As the agent combines them: a kind it cannot read leaves the whole view in doubt, since the
  // objects it would show could be the failing ones.
  const worst = problems.length ? combine(problems) : undefined;
  if (worst) return { views, connectivity: worst };
  if (listedKinds === 0) {
    return { views, connectivity: servesNone(wanted) };
  }
  const controllers = await gatherControllers(api, config.fluxNamespace ?? "flux-system", served.map((k) => k.kind), say, now);
  return { views, connectivity: { state: "synced" }, controllers };
}

/** One look at the Flux namespace's Leases and Deployments (list only, as the agent's Role allows). */
async function gatherControllers(api: KubeClient, namespace: string, servedKinds: string[], say: (line: string) => void, now: () => number): Promise<ControllersReport> {
  const read = async <T>(path: string, project: (o: unknown) => T): Promise<T[] | string> => {
    const items: T[] = [];
    try {
      await api.getList(path, { limit: 500 }, (item) => items.push(project(item)));
      return items;
    } catch (err) {
      return statusOf(err) ? `HTTP ${statusOf(err)}: ${messageOf(err)}` : messageOf(err);
    }
  };
  const ns = encodeURIComponent(namespace);
  const leases = await read(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, projectLease);
  const deployments = await read(`/apis/apps/v1/namespaces/${ns}/deployments`, projectDeployment);
  if (typeof leases === "string" && typeof deployments === "string") {
    const unknown = `cannot read leases or deployments in ${namespace} (${deployments}); to fix, grant ${controllersRule(namespace)}`;
    say(`controllers are unknown: ${unknown}`);
    return { unknown };
  }
  return { rows: controllerRows(namespace, servedKinds, typeof leases === "string" ? [] : leases, typeof deployments === "string" ? [] : deployments, now()) };
}

/** The cause and the fix (for one cluster of several, that cluster's own). */
function whyUnknown(c: Connectivity, summary: string, kc: ClusterAccess): string {
  // decide() words an outage for a watcher ("unreachable for 0s"); one look just failed to reach it.
  if (c.state === "unreachable") return `cannot reach the API server: ${c.error} (check that ${serverText(kc)} is reachable, or pass --kubeconfig/--context)`;
  if (c.state === "denied" || c.state === "missing-crd") return `${c.state === "denied" ? "access denied" : "Flux CRDs missing"}: ${c.error} (${c.fix})`;
  return `${summary} (check --namespace, --selector and --kinds)`;
}
