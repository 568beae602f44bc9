// A standard kubeconfig (one cluster, one token user, one context) that
// @kubernetes/client-node's KubeConfig.loadFromFile and kubectl both read.
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export interface KubeconfigOptions {
  server: string;
  token: string;
  context?: string; // default "fluxlight-sim"
  namespace?: string;
  /** PEM of the CA to trust, for an HTTPS server. */
  caData?: string;
  /** Default: true for an http:// server, which client-node otherwise refuses. */
  insecureSkipTlsVerify?: boolean;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const name = o.context ?? "fluxlight-sim";
  const cluster: Record<string, unknown> = { server: o.server };
  if (o.caData) cluster["certificate-authority-data"] = Buffer.from(o.caData).toString("base64");
  // client-node 2.x refuses an http:// server unless TLS verification is off
  // ("HTTP protocol is not allowed when skipTLSVerify is not set or false").
  if (o.insecureSkipTlsVerify ?? o.server.startsWith("http:")) cluster["insecure-skip-tls-verify"] = true;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: o.token } }],
    contexts: [{ name, context: { cluster: name, user: name, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    "current-context": name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  writeFileSync(path, kubeconfigYaml(o), { mode: 0o600 });
}
