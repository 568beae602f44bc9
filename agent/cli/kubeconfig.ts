// Which cluster to watch, and as whom. @kubernetes/client-node's KubeConfig is what reaches the
// cluster (contexts, users, TLS, proxies, exec plugins, auth providers); this module only chooses
// where its configuration comes from, in controller-runtime's order: --kubeconfig, else every file
// in $KUBECONFIG merged, else in-cluster, else ~/.kube/config. Where client-node 2.0 reads a
// kubeconfig differently from kubectl, the document it is given is made to mean what kubectl
// reads (README: "kubeconfig: where client-node and kubectl differ"), or the field is refused by
// name with the fix. Every failure names the flag (and the field) and exits 2.
import { accessSync, existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { serverText, type ClusterAccess } from "../kube/client.ts";
import { isObj, merge, readKubeconfig, UsageError, type Entry, type Obj, type Where } from "./kubeconfig-files.ts";

export { UsageError, serverText };

/** Where the service account is mounted in a pod; client-node's loadFromCluster reads it there. */
const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The proxy variables kubectl honours; client-node 2.0 and node 20's http read none of them. */
const PROXY_ENV = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

/** Set proxy variables the agent does not use, for one line at start-up (never a reason to refuse). */
export function unusedProxyEnv(env: Record<string, string | undefined>): string[] {
  return PROXY_ENV.filter((name) => env[name]);
}

/** The context name that means the pod's own service account, whatever the kubeconfig holds. */
export const IN_CLUSTER = "in-cluster";

/**
 * One ClusterAccess per context asked for (`--context`, repeatable), each found as loadKubeConfig
 * finds one; none asked: the one it picks. `in-cluster`, the pod's own service account, mixes with
 * a kubeconfig's contexts (a pod watching its own cluster and remote ones). `root`: tests' mount.
 */
export function loadClusters(opts: { kubeconfig?: string; contexts?: readonly string[] }, env: Record<string, string | undefined>, root = ""): ClusterAccess[] {
  const contexts = [...new Set(opts.contexts ?? [])];
  if (contexts.length === 0) return [loadKubeConfig({ kubeconfig: opts.kubeconfig }, env)];
  return contexts.map((context) => {
    if (context !== IN_CLUSTER) return loadKubeConfig({ kubeconfig: opts.kubeconfig, context }, env);
    const token = root + join(SERVICE_ACCOUNT, "token");
    if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && readable(token)) return inCluster(root);
    throw new UsageError(`--context: ${IN_CLUSTER} is the pod's own service account, and there is none here (KUBERNETES_SERVICE_HOST/PORT unset, or no token at ${token})`);
  });
}

export function loadKubeConfig(opts: { kubeconfig?: string; context?: string }, env: Record<string, string | undefined>): ClusterAccess {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new UsageError(`--kubeconfig: ${opts.kubeconfig} does not exist`);
    return fromFiles([opts.kubeconfig], "--kubeconfig", `--kubeconfig ${opts.kubeconfig}`, opts.context);
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter(Boolean);
    // kubectl skips the files in the list that do not exist.
    const files = listed.filter((p) => existsSync(p));
    if (files.length === 0) throw new UsageError(`KUBECONFIG: none of ${listed.join(", ") || "(empty)"} exists`);
    return fromFiles(files, "KUBECONFIG", `KUBECONFIG ${files.join(delimiter)}`, opts.context);
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && readable(join(SERVICE_ACCOUNT, "token"))) {
    if (opts.context) throw new UsageError(`--context: in a pod without KUBECONFIG there are no contexts but ${IN_CLUSTER} (the pod's own service account); pass --kubeconfig too for "${opts.context}", or drop it`);
    return inCluster();
  }
  const home = join(env.HOME ?? homedir(), ".kube", "config");
  if (!existsSync(home)) {
    throw new UsageError("--kubeconfig: no cluster configuration found (not in a cluster, $KUBECONFIG unset, ~/.kube/config missing); pass --kubeconfig PATH");
  }
  return fromFiles([home], "--kubeconfig", "~/.kube/config", opts.context);
}

function readable(path: string): boolean {
  try {
    return accessSync(path) === undefined;
  } catch {
    return false;
  }
}

/** client-node's in-cluster configuration: the service environment, the mounted CA and token (re-read as it rotates). */
function inCluster(root = ""): ClusterAccess {
  const kc = new KubeConfig();
  kc.loadFromCluster(root);
  const cluster = kc.getCurrentCluster()!;
  if (!readable(cluster.caFile!)) throw new UsageError(`in-cluster configuration: ${cluster.caFile} cannot be read; is automountServiceAccountToken off?`);
  return { kubeConfig: kc, server: serverUrl(cluster.server, "in-cluster: KUBERNETES_SERVICE_HOST"), context: IN_CLUSTER, source: "in-cluster" };
}

function fromFiles(paths: string[], flag: string, source: string, context: string | undefined): ClusterAccess {
  const files = paths.map((path) => readKubeconfig(path, flag));
  const merged = merge(files);
  const where = (at: Where) => (files.length > 1 ? `${at.file}: ${at.field}` : at.field);
  const contexts = merged.contexts.map((e) => e.name);
  const name = context ?? merged.currentContext;
  if (context && !contexts.includes(context)) throw new UsageError(`--context: no context "${context}" in ${paths.join(", ")} (it has: ${contexts.join(", ") || "none"})`);
  if (!name) throw new UsageError(`--context: ${paths.join(", ")} has no current-context; pass --context (it has: ${contexts.join(", ") || "none"})`);
  const ctx = merged.contexts.find((e) => e.name === name);
  if (!ctx) throw new UsageError(`${flag}: current-context "${name}" is not among the contexts in ${paths.join(", ")} (it has: ${contexts.join(", ") || "none"}); pass --context`);
  const fail = (at: Where, message: string): never => {
    throw new UsageError(`${flag}: ${where(at)}: ${message}`);
  };
  const c = isObj(ctx.value.context) ? ctx.value.context : fail(ctx.at("context"), "is missing");
  const clusterName = typeof c.cluster === "string" && c.cluster ? c.cluster : fail(ctx.at("context.cluster"), "is missing");
  const cluster = merged.clusters.find((e) => e.name === clusterName) ?? fail(ctx.at("context.cluster"), `no cluster named "${clusterName}"`);
  const userName = typeof c.user === "string" && c.user ? c.user : undefined;
  const user = userName === undefined ? undefined : (merged.users.find((e) => e.name === userName) ?? fail(ctx.at("context.user"), `no user named "${userName}"`));
  if (user) kubectlUser(user, cluster, fail);
  const cl = isObj(cluster.value.cluster) ? cluster.value.cluster : fail(cluster.at("cluster"), "is missing");
  // client-node reads these for every request; kubectl refuses to start without them, and so does fluxlight.
  const needed: [Entry, string, Obj][] = [[cluster, "cluster.certificate-authority", cl]];
  if (user && isObj(user.value.user)) needed.push([user, "user.client-certificate", user.value.user], [user, "user.client-key", user.value.user]);
  for (const [entry, field, o] of needed) {
    const key = field.split(".")[1]!;
    const path = o[key];
    if (typeof path === "string" && path && !readable(path)) fail(entry.at(field), `cannot read ${path}`);
  }
  // client-node refuses a plain-HTTP server unless TLS verification is "off" ("HTTP protocol is
  // not allowed when skipTLSVerify is not set"); kubectl talks plain HTTP to it as asked. There is
  // no TLS to verify on http://, so saying so changes nothing else.
  if (typeof cl.server === "string" && cl.server.startsWith("http:")) cl["insecure-skip-tls-verify"] = true;

  const kc = new KubeConfig();
  // One document, already merged as kubectl merges: client-node's mergeConfig would throw on a
  // name two files share, and let the last file's current-context win.
  const doc = { clusters: merged.clusters.map((e) => e.value), users: merged.users.map((e) => e.value), contexts: merged.contexts.map((e) => e.value), "current-context": name };
  try {
    kc.loadFromString(JSON.stringify(doc));
  } catch (err) {
    throw new UsageError(`${flag}: ${paths.join(", ")}: ${(err as Error).message}`);
  }
  const server = kc.getCurrentCluster()!.server;
  return { kubeConfig: kc, server: serverUrl(server, `${flag}: ${where(cluster.at("cluster.server"))}`), context: name, source };
}

function serverUrl(text: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${field}: ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`${field}: ${url.protocol} is not http: or https:`);
  return url;
}

/** The auth providers client-node 2.0 runs (azure, gcp, oidc; an exec or tokenFile config). */
const AUTH_PROVIDERS = ["azure", "gcp", "oidc", "exec", "tokenFile"];

/** The user entry made to mean, to client-node, what kubectl reads in it; or a field refused. */
function kubectlUser(user: Entry, cluster: Entry, fail: (at: Where, message: string) => never): void {
  const u = isObj(user.value.user) ? user.value.user : (user.value.user = {});
  const at = (field: string) => user.at(`user.${field}`);
  // client-node sends Impersonate-User for `as`, and nothing for these: acting with more rights than configured.
  for (const field of ["as-groups", "as-uid", "as-user-extra"]) {
    if (u[field] !== undefined) fail(at(field), `client-node does not send the Impersonate-${field === "as-groups" ? "Group" : field === "as-uid" ? "Uid" : "Extra-*"} header, so fluxlight would act with more rights than configured; remove it, or use a user that has exactly the rights fluxlight needs`);
  }
  // client-node reads `token-file` once, relative to the working directory; kubectl ignores it.
  if (u["token-file"] !== undefined) fail(at("token-file"), "is not a kubectl field (kubectl reads tokenFile); rename it to tokenFile");
  const provider = u["auth-provider"];
  if (provider !== undefined) {
    const name = isObj(provider) ? provider.name : undefined;
    if (typeof name !== "string" || !AUTH_PROVIDERS.includes(name)) fail(at("auth-provider.name"), `${JSON.stringify(name)} is not an auth provider client-node runs (${AUTH_PROVIDERS.slice(0, 3).join(", ")}); use an exec credential plugin (for OIDC: kubelogin)`);
  }
  if (typeof u.tokenFile === "string" && u.tokenFile) {
    if (provider !== undefined) fail(at("tokenFile"), "cannot be combined with auth-provider; keep one of them");
    // kubectl re-reads a tokenFile as it rotates, and prefers it to `token`. client-node re-reads a
    // token file (once a minute, as client-go does) only as its tokenFile auth provider, the one
    // its in-cluster configuration uses.
    u["auth-provider"] = { name: "tokenFile", config: { tokenFile: u.tokenFile } };
    delete u.token;
  }
  if (isObj(u.exec)) execInfo(u.exec, cluster, (field) => at(`exec.${field}`), fail);
}

/**
 * What kubectl tells an exec plugin and client-node does not: KUBERNETES_EXEC_INFO, with
 * `interactive: false` (there is no terminal in a pod) and the cluster when provideClusterInfo
 * asks for it. A plugin that insists on a terminal is refused: it could only hang.
 */
function execInfo(exec: Obj, cluster: Entry, at: (field: string) => Where, fail: (at: Where, message: string) => never): void {
  if (typeof exec.command !== "string" || !exec.command) fail(at("command"), "is missing");
  if (exec.interactiveMode === "Always") fail(at("interactiveMode"), "Always needs a terminal to type into, and fluxlight has none; use a plugin (or its flags) that logs in without one, e.g. a service account or a device-code login done beforehand");
  if (exec.env !== undefined && exec.env !== null && !Array.isArray(exec.env)) fail(at("env"), "must be a list of {name, value}");
  const c = isObj(cluster.value.cluster) ? cluster.value.cluster : {};
  const spec: Obj = { interactive: false };
  if (exec.provideClusterInfo === true) {
    const caFile = typeof c["certificate-authority"] === "string" ? c["certificate-authority"] : undefined;
    const caData = typeof c["certificate-authority-data"] === "string" ? c["certificate-authority-data"] : caFile && readable(caFile) ? readFileSync(caFile).toString("base64") : undefined;
    spec.cluster = {
      server: c.server,
      ...(c["tls-server-name"] ? { "tls-server-name": c["tls-server-name"] } : {}),
      ...(c["insecure-skip-tls-verify"] === true ? { "insecure-skip-tls-verify": true } : {}),
      ...(caData ? { "certificate-authority-data": caData } : {}),
      ...(c["proxy-url"] ? { "proxy-url": c["proxy-url"] } : {}),
    };
  }
  const info = { apiVersion: typeof exec.apiVersion === "string" ? exec.apiVersion : "client.authentication.k8s.io/v1", kind: "ExecCredential", spec };
  const env = (Array.isArray(exec.env) ? exec.env : []).filter((e) => !(isObj(e) && e.name === "KUBERNETES_EXEC_INFO"));
  exec.env = [...env, { name: "KUBERNETES_EXEC_INFO", value: JSON.stringify(info) }];
}
