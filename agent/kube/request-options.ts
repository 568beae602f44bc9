// Where a request's connection options come from: @kubernetes/client-node's KubeConfig, asked
// again for every request (applyToHTTPSOptions), so credentials refresh exactly when client-node
// refreshes them: a token file re-read once a minute, an exec plugin re-run when its credential
// expires, an auth provider's token renewed. Two things are added around it:
//   - the agent for a client identity client-node's own agent was not built with. client-node
//     caches one agent per cluster and user, built with the first request's certificate, and
//     node lets an agent's options override the request's: a certificate an exec plugin rotates
//     (or a rotated certificate file) would never be used. A KubeConfig holding only the new
//     identity builds the agent for it, client-node's way (proxies included); open watches stay
//     on the old connections until they end.
//   - concurrent requests share one call while it runs (client-node would start one plugin run
//     per request), and a call that does not finish in a minute fails the request: a plugin
//     waiting for input must not stall the agent.
import type http from "node:http";
import type https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";

/** Everything needed to reach one API server as one user. */
export interface ClusterAccess {
  /** client-node's configuration, with the context to use set as its current context. */
  kubeConfig: KubeConfig;
  server: URL;
  /** The kubeconfig context, or "in-cluster"; for the start-up log. */
  context: string;
  /** Where the configuration came from (--kubeconfig PATH, KUBECONFIG a:b, in-cluster, ~/.kube/config). */
  source: string;
}

/** One kubeconfig file as client-node reads it, at its current context (the demo's simulator writes one; the CLI merges and checks: cli/kubeconfig.ts). */
export function accessFromFile(path: string): ClusterAccess {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${path}: current-context "${kc.getCurrentContext()}" names no cluster`);
  return { kubeConfig: kc, server: new URL(cluster.server), context: kc.getCurrentContext(), source: path };
}

export interface RequestOptions {
  headers: Record<string, string>;
  /** user:password for basic auth. */
  auth?: string;
  agent: http.Agent;
}

const CREDENTIALS_DEADLINE_MS = 60_000;

export function requestOptions(access: ClusterAccess, deadlineMs = CREDENTIALS_DEADLINE_MS): () => Promise<RequestOptions> {
  const kc = access.kubeConfig;
  let running: Promise<https.RequestOptions> | undefined;
  /** The identity client-node's cached agent carries: the one of the first request. */
  let first: string | undefined;
  let rotated: { identity: string; agent: Promise<http.Agent> } | undefined;

  const ask = () =>
    (running ??= (async () => {
      const o: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(o);
      return o;
    })().finally(() => (running = undefined)));

  return async () => {
    const o = await deadline(ask(), deadlineMs, kc);
    const identity = `${String(o.cert ?? "")}\n${String(o.key ?? "")}`;
    first ??= identity;
    let agent = o.agent as http.Agent;
    if (identity !== first) {
      if (rotated?.identity !== identity) rotated = { identity, agent: agentFor(kc, o) };
      agent = await rotated.agent;
    }
    const headers: Record<string, string> = {};
    // A token file written with a trailing newline: client-go trims it, client-node sends it as read.
    for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k] = String(v).trim();
    return { headers, auth: o.auth ?? undefined, agent };
  };
}

/** client-node's agent for this cluster and the identity in `o`, from a configuration holding only that identity. */
async function agentFor(kc: KubeConfig, o: https.RequestOptions): Promise<http.Agent> {
  const cluster = kc.getCurrentCluster()!;
  const base64 = (v: unknown) => (v === undefined || v === null ? undefined : Buffer.from(v as string | Buffer).toString("base64"));
  const one = new KubeConfig();
  one.loadFromOptions({
    clusters: [cluster],
    users: [{ name: "rotated", certData: base64(o.cert), keyData: base64(o.key) }],
    contexts: [{ name: "rotated", cluster: cluster.name, user: "rotated" }],
    currentContext: "rotated",
  });
  const fresh: https.RequestOptions = {};
  await one.applyToHTTPSOptions(fresh);
  return fresh.agent as http.Agent;
}

function deadline<T>(p: Promise<T>, ms: number, kc: KubeConfig): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const user = kc.getCurrentUser();
  const who = user?.exec?.command ? `the credential plugin ${String(user.exec.command)} of user "${user.name}"` : `the credentials of user "${user?.name ?? ""}"`;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${who} after ${Math.round(ms / 1000)} s (is it waiting for input?)`)), ms);
  });
  return Promise.race([
    p.catch((err: unknown) => {
      throw new Error(`${who} failed: ${String((err as Error).message ?? err).trim().split("\n")[0] || "no message"}`);
    }),
    late,
  ]).finally(() => clearTimeout(timer));
}
