// Which cluster to watch, as kubectl would choose it: --kubeconfig, else in-cluster, else
// $KUBECONFIG, else ~/.kube/config. Every failure names the flag (and the field) and the fix.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { accessFromKubeconfig, contextNames, inClusterAccess, KubeconfigError, parseKubeconfig, type ClusterAccess } from "../kube/config.ts";

export { serverText } from "../kube/config.ts";

export class UsageError extends Error {}

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export function loadKubeConfig(opts: { kubeconfig?: string; context?: string }, env: Record<string, string | undefined>): ClusterAccess {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new UsageError(`--kubeconfig: ${opts.kubeconfig} does not exist`);
    return fromFile(opts.kubeconfig, "--kubeconfig", opts.context);
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    try {
      return inClusterAccess(env);
    } catch (err) {
      throw new UsageError(`in-cluster configuration: ${(err as Error).message}`);
    }
  }
  if (env.KUBECONFIG) {
    const first = env.KUBECONFIG.split(":").find((p) => p && existsSync(p));
    if (!first) throw new UsageError(`KUBECONFIG: ${env.KUBECONFIG} does not exist`);
    return fromFile(first, "KUBECONFIG", opts.context);
  }
  const path = join(env.HOME ?? homedir(), ".kube", "config");
  if (!existsSync(path)) {
    throw new UsageError("--kubeconfig: no cluster configuration found (not in a cluster, $KUBECONFIG unset, ~/.kube/config missing); pass --kubeconfig PATH");
  }
  return fromFile(path, "--kubeconfig", opts.context);
}

function fromFile(path: string, flag: string, context: string | undefined): ClusterAccess {
  let doc: unknown;
  try {
    doc = parseKubeconfig(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${flag}: ${path} is not a readable kubeconfig: ${(err as Error).message.split("\n")[0]}`);
  }
  if (context && !contextNames(doc).includes(context)) {
    throw new UsageError(`--context: no context "${context}" in ${path} (it has: ${contextNames(doc).join(", ") || "none"})`);
  }
  try {
    return accessFromKubeconfig(doc, path, context);
  } catch (err) {
    if (!(err instanceof KubeconfigError)) throw err;
    // No current context is the user's choice to make: say which flag makes it.
    if (err.field === "current-context") throw new UsageError(`--context: ${path} has no current-context; pass --context (it has: ${contextNames(doc).join(", ") || "none"})`);
    throw new UsageError(`${flag}: ${path}: ${err.message}`);
  }
}
