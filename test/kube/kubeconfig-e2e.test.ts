// The real `fluxlight` command (status and run) reaching the local API server over real TLS the
// ways a kubeconfig (or a pod) tells it to, through @kubernetes/client-node's KubeConfig: several
// KUBECONFIG files merged, --context, in-cluster, an exec plugin, `as:` impersonation, and what is
// refused by field. The simulator logs who each request came as and its Impersonate-User.
// (Token rotation, proxies and tls-server-name: ./transport-e2e.test.ts.)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { okLight, pem, startRig, TOKEN, type Rig } from "./rig.ts";

let rig: Rig;
before(async () => (rig = await startRig()));
after(() => rig.stop());

test("KUBECONFIG with several files (contexts in one, cluster and user in another) is merged as kubectl merges it", async () => {
  const contexts = rig.write("merged/contexts.yaml", { contexts: [{ name: "sim", context: { cluster: "sim", user: "agent" } }], "current-context": "sim" });
  const creds = rig.kubeconfig("merged/creds/creds.yaml");
  // A third file has the same cluster and user names (pointing nowhere) and its own current-context: the first file's win.
  const stale = rig.write("merged/stale.yaml", { clusters: [{ name: "sim", cluster: { server: "https://127.0.0.1:1" } }], users: [{ name: "agent", user: { token: "stale" } }], contexts: [{ name: "stale", context: { cluster: "sim", user: "agent" } }], "current-context": "stale" });
  const seen = rig.requestsFrom();
  const r = await rig.status([], { KUBECONFIG: [contexts, creds, stale].join(":") });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Kustomization +flux-system +apps +True +ready /m);
  assert.ok(seen().length > 0 && seen().every((q) => q.user === "token" && q.status === 200));

  const agent = rig.run([], { KUBECONFIG: [contexts, creds, stale].join(":") });
  try {
    const start = await agent.logs.waitFor((l) => l.event === "start", 30_000, "the start line");
    assert.equal(start.kubeconfig, `KUBECONFIG ${[contexts, creds, stale].join(":")}`);
    assert.equal(start.context, "sim");
    assert.equal(start.cluster, rig.server.url);
    await agent.logs.waitFor(okLight, 30_000, "the light going ok");
  } finally {
    await agent.stop();
  }
});

test("--context picks a context other than the current one", async () => {
  const path = rig.write("context/config", {
    clusters: [{ name: "sim", cluster: { server: rig.server.url, "certificate-authority-data": pem("ca.crt").toString("base64") } }, { name: "gone", cluster: { server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true } }],
    users: [{ name: "agent", user: { token: TOKEN } }],
    contexts: [{ name: "gone", context: { cluster: "gone", user: "agent" } }, { name: "sim", context: { cluster: "sim", user: "agent" } }],
    "current-context": "gone",
  });
  assert.equal((await rig.status(["--kubeconfig", path])).code, 3, "the current context's cluster is unreachable");
  const r = await rig.status(["--kubeconfig", path, "--context", "sim"]);
  assert.equal(r.code, 0, r.stderr);
});

test("in a pod: the service environment and the mounted service account (client-node's loadFromCluster), and the start line says so", async (t) => {
  // client-node reads the token and CA at the fixed path; a private mount namespace puts the
  // test's own directory there for the child alone, as the kubelet mounts the service account.
  const probe = spawnSync("unshare", ["--mount", "true"]);
  if (probe.status !== 0) return t.skip(`no mount namespace here (unshare: ${String(probe.stderr).trim()})`);
  const sa = join(rig.dir, "serviceaccount");
  rig.write("serviceaccount/token", TOKEN);
  rig.write("serviceaccount/ca.crt", pem("ca.crt"));
  rig.write("serviceaccount/namespace", "flux-system");
  const mount = `mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && mount --bind ${sa} /run/secrets/kubernetes.io/serviceaccount && exec "$@"`;
  const wrap = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount, "sh"];
  const pod = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(rig.server.port) };
  const seen = rig.requestsFrom();
  const r = await rig.status([], pod, wrap);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(seen().length > 0 && seen().every((q) => q.user === "token"));
  // --context means a kubeconfig; in a pod without one there is none to pick from.
  const withContext = await rig.status(["--context", "sim"], pod, wrap);
  assert.equal(withContext.code, 2);
  assert.match(withContext.stderr, /^fluxlight: --context: in a pod without KUBECONFIG there are no contexts/);
  // in-cluster names the pod's own service account, so it is the one context there is.
  const inCluster = await rig.status(["--context", "in-cluster"], pod, wrap);
  assert.equal(inCluster.code, 0, inCluster.stderr);

  const agent = rig.run([], pod, wrap);
  try {
    const start = await agent.logs.waitFor((l) => l.event === "start", 30_000, "the start line");
    assert.equal(start.kubeconfig, "in-cluster");
    assert.equal(start.context, "in-cluster");
    assert.equal(start.cluster, `https://127.0.0.1:${rig.server.port}`);
    await agent.logs.waitFor(okLight, 30_000, "the light going ok");
  } finally {
    await agent.stop();
  }
});

test("an exec plugin given as a path relative to the kubeconfig, told KUBERNETES_EXEC_INFO", async () => {
  const plugin = rig.write("exec/bin/login", `#!${process.execPath}
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? "null");
if (!info || info.spec.interactive !== false || info.spec.cluster?.server !== ${JSON.stringify(rig.server.url)}) { console.error("bad KUBERNETES_EXEC_INFO: " + process.env.KUBERNETES_EXEC_INFO); process.exit(1); }
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: ${JSON.stringify(TOKEN)} } }));
`, 0o755);
  chmodSync(plugin, 0o755);
  const path = rig.kubeconfig("exec/config", {}, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "./bin/login", provideClusterInfo: true, interactiveMode: "IfAvailable" } });
  const r = await rig.status(["--kubeconfig", path]);
  assert.equal(r.code, 0, r.stderr);

  const failing = rig.kubeconfig("exec/failing", {}, { exec: { command: "./bin/missing" } });
  const f = await rig.status(["--kubeconfig", failing]);
  assert.equal(f.code, 3);
  assert.match(f.stderr, /the credential plugin .*exec\/bin\/missing of user "agent" failed: spawn .*ENOENT/);
});

test("`as:` impersonation: every request carries Impersonate-User", async () => {
  const seen = rig.requestsFrom();
  const r = await rig.status(["--kubeconfig", rig.kubeconfig("as/config", {}, { token: TOKEN, as: "jane" })]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(seen().length > 0);
  assert.deepEqual([...new Set(seen().map((q) => q.impersonate))], ["jane"]);
});

test("what client-node cannot do as kubectl does is refused by field, exit 2, before anything is sent", async () => {
  const seen = rig.requestsFrom();
  const groups = await rig.status(["--kubeconfig", rig.kubeconfig("refused/groups", {}, { token: TOKEN, as: "jane", "as-groups": ["admins"] })]);
  assert.equal(groups.code, 2);
  assert.match(groups.stderr, /^fluxlight: --kubeconfig: users\[0\]\.user\.as-groups: client-node does not send the Impersonate-Group header/);
  const interactive = await rig.fluxlight(["run", "--serial", join(rig.dir, "no-such-tty"), "--kubeconfig", rig.kubeconfig("refused/interactive", {}, { exec: { command: "kubelogin", interactiveMode: "Always" } })]);
  assert.equal(interactive.code, 2);
  assert.match(interactive.stderr, /^fluxlight: --kubeconfig: users\[0\]\.user\.exec\.interactiveMode: Always needs a terminal/);
  assert.deepEqual(seen(), []);
});
