// Where the agent's cluster configuration comes from (controller-runtime's order), how several
// KUBECONFIG files merge (as kubectl merges them, not as client-node's mergeConfig does), and
// what is refused by field name. What the KubeConfig then does is client-node's; what the API
// server sees is tested through the real command in test/kube/kubeconfig-e2e.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type https from "node:https";
import { dump } from "js-yaml";
import { IN_CLUSTER, loadClusters, loadKubeConfig, unusedProxyEnv, UsageError } from "../../agent/cli/kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "fluxlight-kubeconfig-"));

function write(name: string, doc: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, typeof doc === "string" ? doc : dump(doc));
  return path;
}

const config = (clusters: [string, Record<string, unknown>][], users: [string, Record<string, unknown>][], contexts: [string, string, string][], current?: string) => ({
  apiVersion: "v1",
  kind: "Config",
  clusters: clusters.map(([name, cluster]) => ({ name, cluster })),
  users: users.map(([name, user]) => ({ name, user })),
  contexts: contexts.map(([name, cluster, user]) => ({ name, context: { cluster, user } })),
  ...(current === undefined ? {} : { "current-context": current }),
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  return assert.fail("no error");
}

async function headersOf(path: string, env: Record<string, string> = {}, context?: string) {
  const a = loadKubeConfig({ context }, { KUBECONFIG: path, ...env });
  const o: https.RequestOptions = {};
  await a.kubeConfig.applyToHTTPSOptions(o);
  return { access: a, headers: (o.headers ?? {}) as Record<string, unknown> };
}

test("KUBECONFIG: every file merged as kubectl merges them (first file wins a name and the current-context); paths relative to each file", async () => {
  const contexts = write("split/contexts.yaml", config([], [], [["home", "home", "me"], ["away", "away", "me"]], "home"));
  write("split/creds/ca.pem", "CA");
  const creds = write("split/creds/creds.yaml", config([["home", { server: "https://home.lan:6443", "certificate-authority": "ca.pem" }], ["away", { server: "https://away.lan" }]], [["me", { token: "first" }]], [], "away"));
  // A third file names the same cluster and user again, and has its own current-context: client-node's mergeConfig throws on the names and takes its context.
  const again = write("split/again.yaml", config([["home", { server: "https://elsewhere" }]], [["me", { token: "second" }]], [["other", "home", "me"]], "other"));
  const { access, headers } = await headersOf([contexts, creds, again].join(":"));
  assert.equal(access.context, "home");
  assert.equal(access.server.host, "home.lan:6443");
  assert.equal(access.source, `KUBECONFIG ${[contexts, creds, again].join(":")}`);
  assert.equal(headers.Authorization, "Bearer first");
  assert.equal(access.kubeConfig.getCurrentCluster()?.caFile, join(dir, "split/creds/ca.pem"));
  // Missing files in the list are skipped, as kubectl skips them; --context picks any merged context.
  const away = await headersOf([join(dir, "nope.yaml"), contexts, creds].join(":"), {}, "away");
  assert.equal(away.access.server.host, "away.lan");
  assert.match(message(() => loadKubeConfig({}, { KUBECONFIG: join(dir, "nope.yaml") })), /^KUBECONFIG: none of .*nope\.yaml exists$/);
});

test("the loading order: --kubeconfig, then KUBECONFIG, then in-cluster, then ~/.kube/config", () => {
  const flagged = write("order/flag.yaml", config([["f", { server: "https://flag.lan" }]], [], [["f", "f", ""]], "f"));
  const env = write("order/env.yaml", config([["e", { server: "https://env.lan" }]], [], [["e", "e", ""]], "e"));
  write("order/home/.kube/config", config([["h", { server: "https://home.lan" }]], [], [["h", "h", ""]], "h"));
  const home = join(dir, "order/home");
  const pod = { KUBERNETES_SERVICE_HOST: "10.43.0.1", KUBERNETES_SERVICE_PORT: "443" };
  assert.equal(loadKubeConfig({ kubeconfig: flagged }, { KUBECONFIG: env, HOME: home, ...pod }).server.host, "flag.lan");
  // In a pod with KUBECONFIG set (a remote cluster), KUBECONFIG wins.
  assert.equal(loadKubeConfig({}, { KUBECONFIG: env, HOME: home, ...pod }).server.host, "env.lan");
  // No service account token mounted here: not in a pod, so ~/.kube/config.
  const fromHome = loadKubeConfig({}, { HOME: home, ...pod });
  assert.equal(fromHome.server.host, "home.lan");
  assert.equal(fromHome.source, "~/.kube/config");
  assert.match(message(() => loadKubeConfig({}, { HOME: join(dir, "nobody") })), /^--kubeconfig: no cluster configuration found/);
});

test("kubectl's tokenFile becomes client-node's re-read token file (and wins over token); a token file with a newline still works", async () => {
  write("tf/token", "from-file\n");
  const path = write("tf/config", config([["c", { server: "https://c.lan" }]], [["u", { token: "static", tokenFile: "token" }]], [["c", "c", "u"]], "c"));
  const { access, headers } = await headersOf(path);
  assert.deepEqual(access.kubeConfig.getCurrentUser()?.authProvider, { name: "tokenFile", config: { tokenFile: join(dir, "tf/token") } });
  assert.match(String(headers.Authorization), /^Bearer from-file\s*$/);
});

test("an exec plugin: a relative command is the kubeconfig's, and it is told KUBERNETES_EXEC_INFO (not interactive, the cluster if asked)", () => {
  write("ex/ca.pem", "CA PEM");
  const path = write("ex/config", config([["c", { server: "https://c.lan", "certificate-authority": "ca.pem", "tls-server-name": "kubernetes" }]], [["u", { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "./bin/login", provideClusterInfo: true, env: [{ name: "A", value: "1" }] } }], ["v", { exec: { command: "kubelogin" } }]], [["c", "c", "u"], ["d", "c", "v"]], "c"));
  const exec = loadKubeConfig({ kubeconfig: path }, {}).kubeConfig.getCurrentUser()?.exec as { command: string; env: { name: string; value: string }[] };
  assert.equal(exec.command, join(dir, "ex/bin/login"));
  assert.equal(exec.env[0]?.name, "A");
  const info = JSON.parse(exec.env.find((e) => e.name === "KUBERNETES_EXEC_INFO")!.value) as Record<string, unknown>;
  assert.deepEqual(info, { apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", spec: { interactive: false, cluster: { server: "https://c.lan", "tls-server-name": "kubernetes", "certificate-authority-data": Buffer.from("CA PEM").toString("base64") } } });
  const bare = loadKubeConfig({ kubeconfig: path, context: "d" }, {}).kubeConfig.getCurrentUser()?.exec as { command: string };
  assert.equal(bare.command, "kubelogin", "a bare name is looked up in PATH");
});

test("what fluxlight cannot honour is refused by file and field, with the fix", () => {
  const refused = (name: string, cluster: Record<string, unknown>, user: Record<string, unknown>) => message(() => loadKubeConfig({ kubeconfig: write(`refused/${name}`, config([["c", { server: "https://c.lan", ...cluster }]], [["u", user]], [["c", "c", "u"]], "c")) }, {}));
  assert.match(refused("groups", {}, { as: "jane", "as-groups": ["admins"] }), /^--kubeconfig: users\[0\]\.user\.as-groups: client-node does not send the Impersonate-Group header/);
  assert.match(refused("uid", {}, { as: "jane", "as-uid": "1" }), /^--kubeconfig: users\[0\]\.user\.as-uid: /);
  assert.match(refused("token-file", {}, { "token-file": "/t" }), /^--kubeconfig: users\[0\]\.user\.token-file: is not a kubectl field \(kubectl reads tokenFile\); rename it to tokenFile$/);
  assert.match(refused("provider", {}, { "auth-provider": { name: "openstack" } }), /^--kubeconfig: users\[0\]\.user\.auth-provider\.name: "openstack" is not an auth provider client-node runs/);
  assert.match(refused("interactive", {}, { exec: { command: "login", interactiveMode: "Always" } }), /^--kubeconfig: users\[0\]\.user\.exec\.interactiveMode: Always needs a terminal/);
  assert.match(refused("no-command", {}, { exec: { args: [] } }), /^--kubeconfig: users\[0\]\.user\.exec\.command: is missing$/);
  assert.match(refused("ca", { "certificate-authority": "missing.pem" }, {}), /^--kubeconfig: clusters\[0\]\.cluster\.certificate-authority: cannot read .*missing\.pem$/);
  assert.match(refused("url", { server: "not a url" }, {}), /^--kubeconfig: clusters\[0\]\.cluster\.server: "not a url" is not a URL$/);
  const noServer = write("refused/no-server", config([["c", {}]], [], [["c", "c", ""]], "c"));
  assert.match(message(() => loadKubeConfig({ kubeconfig: noServer }, {})), /clusters\[0\]\.cluster\.server is missing/);
  const two = [write("refused/a", config([], [], [["c", "c", "u"]], "c")), write("refused/b", config([["c", { server: "https://c.lan" }]], [["u", { "as-groups": ["x"] }]], []))];
  assert.match(message(() => loadKubeConfig({}, { KUBECONFIG: two.join(":") })), /^KUBECONFIG: .*refused\/b: users\[0\]\.user\.as-groups: /, "with several files, the file is named too");
});

test("the CLI names the flag, lists the contexts there are, and reads JSON kubeconfigs too", () => {
  const path = write("cli/config", config([["c", { server: "https://c.lan" }]], [], [["home", "c", ""], ["away", "c", ""]], "home"));
  assert.match(message(() => loadKubeConfig({ kubeconfig: path, context: "nope" }, {})), /^--context: no context "nope" in .* \(it has: home, away\)$/);
  const noCurrent = write("cli/no-current", config([["c", { server: "https://c.lan" }]], [], [["home", "c", ""]], ""));
  assert.match(message(() => loadKubeConfig({ kubeconfig: noCurrent }, {})), /^--context: .* has no current-context; pass --context \(it has: home\)$/);
  assert.match(message(() => loadKubeConfig({ kubeconfig: write("cli/bad-yaml", "clusters: [\n") }, {})), /^--kubeconfig: .*bad-yaml is not a readable kubeconfig: /);
  const json = write("cli/json", JSON.stringify(config([["j", { server: "https://json.lan" }]], [["u", { token: "t" }]], [["j", "j", "u"]], "j")));
  assert.equal(loadKubeConfig({ kubeconfig: json }, {}).server.host, "json.lan");
});

test("proxy variables are never a reason to refuse; they are named as unused", () => {
  assert.deepEqual(unusedProxyEnv({ HTTPS_PROXY: "http://proxy:3128", no_proxy: "10.0.0.0/8", HOME: "/root" }), ["HTTPS_PROXY", "no_proxy"]);
  assert.deepEqual(unusedProxyEnv({}), []);
});

test("--context given several times: one cluster per context, in order, each with its own server and credentials", async () => {
  const path = write("multi/config", config([["h", { server: "https://home.lan" }], ["a", { server: "https://away.lan:6443" }]], [["hu", { token: "home-token" }], ["au", { token: "away-token" }]], [["home", "h", "hu"], ["away", "a", "au"]], "home"));
  const clusters = loadClusters({ kubeconfig: path, contexts: ["away", "home", "away"] }, {});
  assert.deepEqual(clusters.map((c) => [c.context, c.server.host]), [["away", "away.lan:6443"], ["home", "home.lan"]], "a context given twice is one cluster");
  const tokens = await Promise.all(clusters.map(async (c) => {
    const o: https.RequestOptions = {};
    await c.kubeConfig.applyToHTTPSOptions(o);
    return (o.headers as Record<string, unknown>).Authorization;
  }));
  assert.deepEqual(tokens, ["Bearer away-token", "Bearer home-token"]);
  // None given: the current context, as before.
  assert.deepEqual(loadClusters({ kubeconfig: path }, {}).map((c) => c.context), ["home"]);
  // An unknown context is named, with the ones there are (the CLI exits 2 with this line).
  assert.match(message(() => loadClusters({ kubeconfig: path, contexts: ["home", "staging"] }, {})), /^--context: no context "staging" in .* \(it has: home, away\)$/);
});

test("in-cluster is the pod's own service account, mixed with a kubeconfig's contexts; outside a pod it is refused by name", () => {
  const root = join(dir, "pod");
  write("pod/var/run/secrets/kubernetes.io/serviceaccount/token", "sa-token");
  write("pod/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", "CA");
  write("pod/var/run/secrets/kubernetes.io/serviceaccount/namespace", "fluxlight");
  const remote = write("pod/remote.yaml", config([["r", { server: "https://remote.lan" }]], [["u", { token: "t" }]], [["remote", "r", "u"]], "remote"));
  const pod = { KUBERNETES_SERVICE_HOST: "10.43.0.1", KUBERNETES_SERVICE_PORT: "443" };
  // client-node's in-cluster loader reads the service's address from the process environment.
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  Object.assign(process.env, pod);
  try {
    const clusters = loadClusters({ kubeconfig: remote, contexts: [IN_CLUSTER, "remote"] }, pod, root);
    assert.deepEqual(clusters.map((c) => [c.context, c.server.host, c.source]), [[IN_CLUSTER, "10.43.0.1", "in-cluster"], ["remote", "remote.lan", `--kubeconfig ${remote}`]]);
    assert.deepEqual(clusters[0]!.kubeConfig.getCurrentUser()?.authProvider, { name: "tokenFile", config: { tokenFile: `${root}/var/run/secrets/kubernetes.io/serviceaccount/token` } });
    // In a pod without a kubeconfig, in-cluster alone is fine; another context needs --kubeconfig.
    assert.deepEqual(loadClusters({ contexts: [IN_CLUSTER] }, pod, root).map((c) => c.context), [IN_CLUSTER]);
  } finally {
    for (const [name, value] of [["KUBERNETES_SERVICE_HOST", saved.host], ["KUBERNETES_SERVICE_PORT", saved.port]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  assert.match(message(() => loadClusters({ kubeconfig: remote, contexts: ["remote", IN_CLUSTER] }, {}, root)), /^--context: in-cluster is the pod's own service account, and there is none here \(KUBERNETES_SERVICE_HOST\/PORT unset/);
  assert.match(message(() => loadClusters({ kubeconfig: remote, contexts: [IN_CLUSTER] }, pod, join(dir, "no-pod"))), /no token at .*no-pod\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token\)$/);
});
