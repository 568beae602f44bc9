// Which cluster to watch, as kubectl would choose it: --kubeconfig, else in-cluster, else
// $KUBECONFIG, else ~/.kube/config. Every failure names the flag and the fix.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export class UsageError extends Error {}

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export function loadKubeConfig(opts: { kubeconfig?: string; context?: string }, env: Record<string, string | undefined>): KubeConfig {
  const kc = new KubeConfig();
  let source: string;
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new UsageError(`--kubeconfig: ${opts.kubeconfig} does not exist`);
    source = opts.kubeconfig;
    loadFile(kc, source, "--kubeconfig");
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
    source = "in-cluster service account";
  } else if (env.KUBECONFIG) {
    const first = env.KUBECONFIG.split(":").find((p) => existsSync(p));
    if (!first) throw new UsageError(`KUBECONFIG: ${env.KUBECONFIG} does not exist`);
    source = first;
    loadFile(kc, source, "KUBECONFIG");
  } else {
    source = join(env.HOME ?? homedir(), ".kube", "config");
    if (!existsSync(source)) {
      throw new UsageError("--kubeconfig: no cluster configuration found (not in a cluster, $KUBECONFIG unset, ~/.kube/config missing); pass --kubeconfig PATH");
    }
    loadFile(kc, source, "--kubeconfig");
  }
  if (opts.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(opts.context)) {
      throw new UsageError(`--context: no context "${opts.context}" in ${source} (it has: ${names.join(", ") || "none"})`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError(`--kubeconfig: ${source} has no current cluster; pass --context`);
  return kc;
}

function loadFile(kc: KubeConfig, path: string, field: string): void {
  try {
    kc.loadFromFile(path);
  } catch (err) {
    throw new UsageError(`${field}: ${path} is not a readable kubeconfig: ${(err as Error).message.split("\n")[0]}`);
  }
}
