// The chart's pod as the kubelet would start it, for two clusters: the Deployment's own command
// line (contexts in-cluster + staging, the remote kubeconfig where its projected Secret lands),
// the service account mounted where client-node reads it, and the real `fluxlight run`. Both
// clusters are the local API server (one as the pod's own, one through the Secret's kubeconfig).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { render, one } from "../charts/render.ts";
import { okLight, pem, startRig, TOKEN, type Rig } from "./rig.ts";

let rig: Rig;
before(async () => (rig = await startRig()));
after(() => rig.stop());

test("contexts [in-cluster, staging] + remoteKubeconfig: the rendered command watches both clusters, the home one as the pod", async (t) => {
  const probe = spawnSync("unshare", ["--mount", "true"]);
  if (probe.status !== 0) return t.skip(`no mount namespace here (unshare: ${String(probe.stderr).trim()})`);
  const spec = one(render({ contexts: ["in-cluster", "staging"], remoteKubeconfig: { secretName: "clusters", key: "config" } }).objects, "Deployment").spec.template.spec;
  const [container] = spec.containers;
  // Where the projected Secret's key lands: the mount's path + the item's path.
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === "config");
  const item = spec.volumes.find((v: { name: string }) => v.name === "config").projected.sources[0].secret.items[0];
  assert.equal(item.key, "config");
  const secretDir = join(rig.dir, "secret");
  // What the homelab sealed into the Secret: a self-contained kubeconfig (the CA inline, a token).
  rig.write(`secret/${item.path}`, {
    clusters: [{ name: "staging", cluster: { server: rig.server.url, "certificate-authority-data": pem("ca.crt").toString("base64") } }],
    users: [{ name: "fluxlight", user: { token: TOKEN } }],
    contexts: [{ name: "staging", context: { cluster: "staging", user: "fluxlight" } }],
    "current-context": "staging",
  });
  rig.write("serviceaccount/token", TOKEN);
  rig.write("serviceaccount/ca.crt", pem("ca.crt"));
  rig.write("serviceaccount/namespace", "fluxlight");
  const sa = join(rig.dir, "serviceaccount");
  const wrap = ["unshare", "--mount", "--propagation", "private", "sh", "-c", `mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && mount --bind ${sa} /run/secrets/kubernetes.io/serviceaccount && exec "$@"`, "sh"];
  const pod = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(rig.server.port) };
  // The container's arguments as rendered, but for the board and the port (rig.run gives none and `off`)
  // and the mount's path, which is the test's directory here.
  const args: string[] = container.args.slice(1).map((a: string) => a.replace(mount.mountPath, secretDir));
  const keep = args.flatMap((a, i) => (["--serial", "--http"].includes(a) || ["--serial", "--http"].includes(args[i - 1]!) ? [] : [a]));
  assert.deepEqual(keep.slice(-6), ["--kubeconfig", join(secretDir, item.path), "--context", "in-cluster", "--context", "staging"]);

  const agent = rig.run(keep, pod, wrap);
  try {
    const start = await agent.logs.waitFor((l) => l.event === "start", 30_000, "the start line");
    assert.deepEqual(start.clusters, [
      { context: "in-cluster", server: `https://127.0.0.1:${rig.server.port}`, kubeconfig: "in-cluster" },
      { context: "staging", server: rig.server.url, kubeconfig: `--kubeconfig ${join(secretDir, item.path)}` },
    ]);
    await agent.logs.waitFor(okLight, 30_000, "the light going ok over both clusters");
  } finally {
    await agent.stop();
  }
  assert.equal(agent.stderr(), "");
});
