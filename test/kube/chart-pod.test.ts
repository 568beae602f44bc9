// The chart's pod as the kubelet would start it, for two clusters: the Deployment's own command
// line (contexts in-cluster + staging, the remote kubeconfig where its projected Secret lands),
// the service account mounted where client-node reads it, and the real `fluxlight run`. Both
// clusters are the local API server (one as the pod's own, one through the Secret's kubeconfig).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ApiServer } from "../../agent/sim/apiserver/server.ts";
import { reconcileFailed } from "../../agent/sim/flux/controller.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import type { FluxLightProps } from "../../charts/lib/props.ts";
import { rbacAllows, render, renderRemote, one, type Obj } from "../charts/render.ts";
import { okLight, pem, startRig, TOKEN, type Rig, type Running } from "./rig.ts";

let rig: Rig;
const mountNamespaces = () => spawnSync("unshare", ["--mount", "true"]).status === 0;
before(async () => (rig = await startRig()));
after(() => rig.stop());

/** The service account, mounted where client-node reads it in a pod (a private mount namespace, for the child alone). */
function podWrap(): string[] {
  rig.write("serviceaccount/token", TOKEN);
  rig.write("serviceaccount/ca.crt", pem("ca.crt"));
  rig.write("serviceaccount/namespace", "fluxlight");
  const sa = join(rig.dir, "serviceaccount");
  return ["unshare", "--mount", "--propagation", "private", "sh", "-c", `mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && mount --bind ${sa} /run/secrets/kubernetes.io/serviceaccount && exec "$@"`, "sh"];
}

/**
 * The rendered pod started as the kubelet would: each file of its projected volume (the lights
 * ConfigMap's, the Secret's `kubeconfig`) written where the mount puts it — the test's directory
 * standing in for the mount's path — and the container's own arguments, but for the board and
 * the port (rig.run gives none and `off`).
 */
function startPod(props: FluxLightProps, secret: unknown): { agent: Running; args: string[]; dir: string; objects: Obj[] } {
  const objects = render(props).objects;
  const spec = one(objects, "Deployment").spec.template.spec;
  const [container] = spec.containers;
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === "config");
  const dir = join(rig.dir, "etc-fluxlight");
  for (const source of spec.volumes.find((v: { name: string }) => v.name === "config").projected.sources) {
    const [item] = (source.configMap ?? source.secret).items;
    rig.write(`etc-fluxlight/${item.path}`, source.configMap ? one(objects, "ConfigMap").data[item.key] : secret);
  }
  const args: string[] = container.args.slice(1).map((a: string) => a.replace(mount.mountPath, dir));
  const keep = args.flatMap((a, i) => (["--serial", "--http"].includes(a) || ["--serial", "--http"].includes(args[i - 1]!) ? [] : [a]));
  const pod = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(rig.server.port) };
  return { agent: rig.run(keep, pod, podWrap()), args: keep, dir, objects };
}

/** What the homelab sealed into the Secret: a self-contained kubeconfig (the CA inline, a token). */
const remoteKubeconfig = (server: string, token: string) => ({
  clusters: [{ name: "staging", cluster: { server, "certificate-authority-data": pem("ca.crt").toString("base64") } }],
  users: [{ name: "fluxlight", user: { token } }],
  contexts: [{ name: "staging", context: { cluster: "staging", user: "fluxlight" } }],
});

test("contexts [in-cluster, staging] + remoteKubeconfig: the rendered command watches both clusters, the home one as the pod", async (t) => {
  if (!mountNamespaces()) return t.skip("no mount namespace here (unshare)");
  const { agent, args, dir } = startPod({ contexts: ["in-cluster", "staging"], remoteKubeconfig: { secretName: "clusters", key: "config" } }, remoteKubeconfig(rig.server.url, TOKEN));
  assert.deepEqual(args.slice(-6), ["--kubeconfig", join(dir, "kubeconfig"), "--context", "in-cluster", "--context", "staging"]);
  try {
    const start = await agent.logs.waitFor((l) => l.event === "start", 30_000, "the start line");
    assert.deepEqual(start.clusters, [
      { context: "in-cluster", server: `https://127.0.0.1:${rig.server.port}`, kubeconfig: "in-cluster" },
      { context: "staging", server: rig.server.url, kubeconfig: `--kubeconfig ${join(dir, "kubeconfig")}` },
    ]);
    await agent.logs.waitFor(okLight, 30_000, "the light going ok over both clusters");
  } finally {
    await agent.stop();
  }
  assert.equal(agent.stderr(), "");
});

test("two lights over two clusters, from the chart's ConfigMap and Secret: each light follows its own cluster, and every request the agent makes is one the rendered grant allows", async (t) => {
  if (!mountNamespaces()) return t.skip("no mount namespace here (unshare)");
  // staging: a second API server, reached only through the Secret's kubeconfig, with its own token.
  const staging = await new ApiServer({ token: "staging-token", tls: { key: pem("server.key"), cert: pem("server.crt") } }).start();
  t.after(() => staging.stop());
  staging.create(kustomization({ name: "apps", ready: "True" }));
  const apps = { kind: "Kustomization", namespace: "flux-system", name: "apps" };
  const lights: FluxLightProps["lights"] = [
    { name: "home", led: "rgb:9,10,11", namespaces: ["flux-system"], kinds: ["Kustomization", "Bucket"], clusters: ["in-cluster"] },
    { name: "staging", led: "traffic:2,3,4", namespaces: ["flux-system"], kinds: ["Kustomization"], clusters: ["staging"] },
  ];
  const seenHome = rig.requestsFrom();
  const { agent, objects } = startPod({ lights, remoteKubeconfig: { secretName: "fluxlight-remote" } }, remoteKubeconfig(staging.url, "staging-token"));
  const signals = (light: string) => agent.logs.events("signal").filter((l) => l.light === light).map((l) => l.to);
  try {
    const start = await agent.logs.waitFor((l) => l.event === "start", 30_000, "the start line");
    assert.deepEqual((start.lights as { name: string }[]).map((l) => l.name), ["home", "staging"]);
    assert.deepEqual((start.clusters as { context: string }[]).map((c) => c.context), ["in-cluster", "staging"], "the agent adds the contexts the lights name");
    await agent.logs.waitFor((l) => l.event === "signal" && l.light === "home" && l.to === "ok", 30_000, "the home light ok");
    await agent.logs.waitFor((l) => l.event === "signal" && l.light === "staging" && l.to === "ok", 30_000, "the staging light ok");

    staging.updateStatus(apps, reconcileFailed(staging.get(apps)!, "BuildFailed", "kustomize build failed"));
    const failed = await agent.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 15_000, "a light failed");
    assert.equal(failed.light, "staging");
    assert.match(String(failed.msg), /in cluster staging/);
    assert.deepEqual(signals("home"), ["starting", "ok"], "the home light does not count staging");
  } finally {
    await agent.stop();
  }

  // The grant: every request to each API server for an object is one its rendered RBAC allows —
  // the chart's in the home cluster, FluxLightRemoteAccess's (given the same lights) in staging.
  const sa = { kind: "ServiceAccount", name: "fluxlight", namespace: "fluxlight" };
  const resourceRequests = (records: { path: string; verb: string; namespace?: string; kind?: string }[]) =>
    records.filter((r) => r.kind).map((r) => {
      const [, group, resource] = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/[^/]+\/)?([^/]+)/.exec(r.path)!;
      return { group: group!, resource: resource!, verb: r.verb, ...(r.namespace ? { namespace: r.namespace } : {}) };
    });
  const home = resourceRequests(seenHome());
  const remote = resourceRequests(staging.stats.requests);
  assert.ok(home.length > 0 && remote.length > 0);
  assert.deepEqual(home.filter((r) => !rbacAllows(objects, sa, r)), [], "home: every request allowed");
  assert.deepEqual(remote.filter((r) => !rbacAllows(renderRemote({ lights }), sa, r)), [], "staging: every request allowed");
  assert.deepEqual(new Set(home.map((r) => r.namespace)), new Set(["flux-system"]), "only the lights' namespace is read");
  // And the check can say no: the grant is Roles in flux-system, nothing cluster-wide.
  assert.equal(rbacAllows(objects, sa, { group: "kustomize.toolkit.fluxcd.io", resource: "kustomizations", verb: "list" }), false);
  assert.equal(rbacAllows(objects, sa, { group: "helm.toolkit.fluxcd.io", resource: "helmreleases", verb: "list", namespace: "flux-system" }), false);
});
