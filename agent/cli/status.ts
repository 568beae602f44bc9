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
import { contextProblem } from "./kubeconfig-contexts.ts";
import { controllerRows, type ControllersReport } from "./status-controllers.ts";
import { controllersRule, projectDeployment, projectLease } from "../source/controllers.ts";
import { buildReport, exitCodeFor, formatStatusJson, formatStatusTable, EXIT, type ClusterStatus } from "./status-report.ts";
import { lightContexts } from "./lights-file.ts";
import { lens, unknownLines } from "./status-lights.ts";
import type { LightSettings } from "../lights.ts";
import { ALL_OBJECTS, watchPlan } from "../source/light-scope.ts";

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
  /** The lights file's lights (then kinds, namespaces and selector are unset): a signal for each. */
  lights?: readonly LightSettings[];
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
    const contexts = config.lights ? lightContexts(config.lights, config.contexts ?? [], contextProblem(config, io.env)) : { ok: true as const, value: config.contexts ?? [] };
    if (!contexts.ok) throw new UsageError(`--config: ${contexts.error}`);
    const accesses = loadClusters({ ...config, contexts: contexts.value }, io.env);
    const proxyEnv = unusedProxyEnv(io.env);
    if (proxyEnv.length) say(`${proxyEnv.join(", ")} set but not used: fluxlight reaches the API server directly, or through the kubeconfig cluster's proxy-url`);
    // What to list: the union of the lights' scopes (without a lights file, the flags' one).
    const plan = watchPlan(config.lights ?? [{ ...ALL_OBJECTS, namespaces: config.namespaces, selector: config.selector, kinds: resolveKinds(config.kinds) }]);
    // Several clusters are looked at together, each named by its context (one stays unnamed).
    const several = accesses.length > 1;
    const looks = await Promise.all(accesses.map((kc) => look(kc, plan, config, several ? (line) => say(`cluster ${kc.context}: ${line}`) : say, now, io.deadlineMs ?? STATUS_DEADLINE_MS)));
    const views = new Map<string, Connectivity>(looks.map((g, i) => [accesses[i]!.context, g.connectivity]));
    const lenses = config.lights?.map((l) => lens(l, accesses, views));
    let report;
    if (!several) {
      const [{ views, connectivity, controllers }] = looks as [Gathered];
      report = buildReport(views, connectivity, now(), controllers, undefined, lenses);
    } else {
      for (const [i, { views }] of looks.entries()) for (const view of views) view.cluster = accesses[i]!.context;
      const clusters: ClusterStatus[] = looks.map((g, i) => ({ name: accesses[i]!.context, server: serverText(accesses[i]!), view: g.connectivity, ...(g.controllers ? { controllers: g.controllers } : {}) }));
      const connectivity = acrossClusters(new Map(clusters.map((c) => [c.name, c.view])));
      report = buildReport(looks.flatMap((g) => g.views), connectivity, now(), undefined, clusters, lenses);
    }
    for (const line of unknownLines(report, looks.map((g, i) => ({ access: accesses[i]!, view: g.connectivity })), !!config.lights)) say(line);
    io.stdout.write(config.output === "json" ? formatStatusJson(report) : formatStatusTable(report));
    return exitCodeFor(report.signal);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    say(err.message);
    return EXIT.usage;
  }
}

/** One cluster, looked at once within the deadline: a silent API server is named, not waited on. */
async function look(kc: ClusterAccess, plan: Plan, config: StatusConfig, say: (line: string) => void, now: () => number, deadlineMs: number): Promise<Gathered> {
  const api = fluxApi(kc);
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<Gathered>((resolve) => {
    timer = setTimeout(() => resolve({ views: [], connectivity: { state: "unreachable", since: now(), error: `no answer from ${api.server.host} within ${Math.round(deadlineMs / 1000)} s` } }), deadlineMs);
  });
  try {
    return await Promise.race([gather(api, plan, config, say, now), silent]);
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

async function gather(api: KubeClient, plan: Plan, config: StatusConfig, say: (line: string) => void, now: () => number): Promise<Gathered> {
  const asked = plan.kinds;
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

  const views: ObjectView[] = [];
  const problems: Connectivity[] = [];
  let listedKinds = 0;
  for (const kind of served) {
    let listed = false;
    for (const { namespace, selector } of plan.scopesOf(kind.kind)) {
      try {
        views.push(...(await listKind(api, kind, { namespace, labelSelector: selector })).views);
        listed = true;
      } catch (err) {
        // A selector the API server cannot parse is the user's to fix, not the cluster's.
        if (statusOf(err) === 400 && selector !== undefined) throw new UsageError(`${config.lights ? "--config" : "--selector"}: the API server rejected ${JSON.stringify(selector)}: ${messageOf(err)}`);
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

type Plan = ReturnType<typeof watchPlan>;

