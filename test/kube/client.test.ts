// The agent's Kubernetes client (client-node's KubeConfig per request, the agent's own decode)
// against the local API server over real TLS: trusted and untrusted CAs, client certificates,
// exec credential plugins (a rotating client certificate too), and watch lines cut anywhere.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { ApiServer } from "../../agent/sim/apiserver/server.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { kubeClient, KubeApiError } from "../../agent/kube/client.ts";
import { requestOptions } from "../../agent/kube/request-options.ts";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { lineSplitter } from "../../agent/kube/lines.ts";
import { runStatus } from "../../agent/cli/status.ts";

const TLS = join(import.meta.dirname, "../fixtures/tls");
const pem = (name: string) => readFileSync(join(TLS, name));
const b64 = (name: string) => pem(name).toString("base64");
const dir = mkdtempSync(join(tmpdir(), "fluxlight-kube-"));
const KS = "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations";

let server: ApiServer;
before(async () => {
  server = await new ApiServer({ token: "good-token", tls: { key: pem("server.key"), cert: pem("server.crt"), clientCa: pem("ca.crt") } }).start();
  server.create(kustomization({ name: "apps", ready: "True" }));
});
after(() => server.stop());

/** A kubeconfig for the TLS server with this cluster and user, loaded as the CLI loads it. */
function access(cluster: Record<string, unknown>, user: Record<string, unknown>) {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, dump({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: server.url, ...cluster } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    "current-context": "c",
  }));
  return { path, access: loadKubeConfig({ kubeconfig: path }, {}) };
}

const names = (list: unknown) => (list as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);

test("HTTPS with the cluster's CA and a bearer token lists the Kustomizations", async () => {
  const api = kubeClient(access({ "certificate-authority-data": b64("ca.crt") }, { token: "good-token" }).access);
  assert.deepEqual(names(await api.getJson(KS)), ["apps"]);
});

test("a server whose certificate the kubeconfig does not trust is refused, unless verification is off", async () => {
  const untrusted = kubeClient(access({ "certificate-authority-data": b64("other-ca.crt") }, { token: "good-token" }).access);
  await assert.rejects(untrusted.getJson(KS), /certificate/);
  const insecure = kubeClient(access({ "insecure-skip-tls-verify": true }, { token: "good-token" }).access);
  assert.deepEqual(names(await insecure.getJson(KS)), ["apps"]);
});

test("a client certificate authenticates; without it (or a token) the answer is 401 with the server's Status", async () => {
  writeFileSync(join(dir, "client.crt"), pem("client.crt"));
  writeFileSync(join(dir, "client.key"), pem("client.key"));
  const withCert = kubeClient(access({ "certificate-authority-data": b64("ca.crt") }, { "client-certificate": "client.crt", "client-key": "client.key" }).access);
  assert.deepEqual(names(await withCert.getJson(KS)), ["apps"]);
  const nobody = kubeClient(access({ "certificate-authority-data": b64("ca.crt") }, {}).access);
  const err = await nobody.getJson(KS).catch((e: unknown) => e);
  assert.ok(err instanceof KubeApiError);
  assert.equal(err.statusCode, 401);
  assert.equal((err.body as { reason?: string }).reason, "Unauthorized");
});

/** An exec credential plugin that counts its runs in a file and prints the token it is given. */
function plugin(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test("an exec plugin (client-node's): one run for requests that start together, kept until it expires; KUBERNETES_EXEC_INFO; its failure names the plugin and user", async () => {
  const runs = join(dir, "runs");
  writeFileSync(runs, "");
  const expiresIn = join(dir, "plugin-expires");
  writeFileSync(expiresIn, "3600");
  const cmd = plugin("kubelogin-fake", `
const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(runs)}, process.env.KUBERNETES_EXEC_INFO + "\\n");
const expires = new Date(Date.now() + Number(fs.readFileSync(${JSON.stringify(expiresIn)}, "utf8")) * 1000).toISOString();
console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "good-token", expirationTimestamp: expires } }));`);
  const { access: a } = access({ "certificate-authority-data": b64("ca.crt") }, { exec: { apiVersion: "client.authentication.k8s.io/v1", command: cmd, env: [{ name: "FAKE", value: "1" }], provideClusterInfo: true } });
  const api = kubeClient(a);
  await Promise.all([api.getJson(KS), api.getJson(KS), api.getJson(KS)]);
  await api.getJson(KS);
  const infos = () => readFileSync(runs, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; spec: { interactive: boolean; cluster?: { server: string } } });
  assert.equal(infos().length, 1, "one run serves every request until the credential expires");
  assert.equal(infos()[0]!.kind, "ExecCredential");
  assert.equal(infos()[0]!.spec.interactive, false);
  assert.equal(infos()[0]!.spec.cluster?.server, server.url);

  // A credential that has expired is fetched again (client-node's rule: by expirationTimestamp, not on a 401).
  writeFileSync(expiresIn, "-1");
  await new Promise((r) => setTimeout(r, 50));
  const { access: b } = access({ "certificate-authority-data": b64("ca.crt") }, { exec: { command: cmd } });
  const expiring = kubeClient(b);
  await expiring.getJson(KS);
  await expiring.getJson(KS);
  assert.equal(infos().length, 3, "an expired credential is fetched again for the next request");

  const broken = plugin("broken-plugin", `console.error("error: login required"); process.exit(1);`);
  const failing = kubeClient(access({ "insecure-skip-tls-verify": true }, { exec: { command: broken, installHint: "install kubelogin" } }).access);
  await assert.rejects(failing.getJson(KS), /^Error: the credential plugin .*broken-plugin of user "u" failed: error: login required$/);
  const missing = kubeClient(access({ "insecure-skip-tls-verify": true }, { exec: { command: join(dir, "no-such-plugin") } }).access);
  await assert.rejects(missing.getJson(KS), /no-such-plugin of user "u" failed: spawn .*no-such-plugin ENOENT/);
});

test("an exec plugin that waits on stdin (client-node leaves it open): the request gives up naming the plugin, and no second run piles up", async () => {
  const runs = join(dir, "stdin-runs");
  writeFileSync(runs, "");
  const cmd = plugin("stdin-plugin", `
require("node:fs").appendFileSync(${JSON.stringify(runs)}, "run\\n");
process.stdin.resume();
process.stdin.on("end", () => console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "good-token" } })));`);
  const options = requestOptions(access({ "insecure-skip-tls-verify": true }, { exec: { command: cmd } }).access, 1500);
  await assert.rejects(options(), /^Error: no answer from the credential plugin .*stdin-plugin of user "u" after 2 s \(is it waiting for input\?\)$/);
  await assert.rejects(options(), /no answer from the credential plugin/);
  assert.equal(readFileSync(runs, "utf8"), "run\n", "the second request waited for the same run");
});

test("an exec plugin that rotates the client certificate: the next requests use the new one (client-node's agent cache would keep the first)", async () => {
  const rotating = await new ApiServer({ token: "unused", tls: { key: pem("server.key"), cert: pem("server.crt"), clientCa: [pem("ca.crt"), pem("rotation-ca.crt")] } }).start();
  try {
    const which = join(dir, "which-cert");
    writeFileSync(which, "client");
    const cmd = plugin("cert-plugin", `
const fs = require("node:fs");
const name = fs.readFileSync(${JSON.stringify(which)}, "utf8");
const read = (f) => fs.readFileSync(${JSON.stringify(TLS)} + "/" + f, "utf8");
const expires = new Date(Date.now() + (name === "client" ? 300 : 3600e3)).toISOString();
console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { clientCertificateData: read(name + ".crt"), clientKeyData: read(name + ".key"), expirationTimestamp: expires } }));`);
    const path = join(dir, "rotating-config");
    writeFileSync(path, dump({ clusters: [{ name: "c", cluster: { server: rotating.url, "certificate-authority-data": b64("ca.crt") } }], users: [{ name: "u", user: { exec: { command: cmd } } }], contexts: [{ name: "c", context: { cluster: "c", user: "u" } }], "current-context": "c" }));
    const api = kubeClient(loadKubeConfig({ kubeconfig: path }, {}));
    await api.getJson(KS);
    writeFileSync(which, "rotated-client");
    await new Promise((r) => setTimeout(r, 400));
    await api.getJson(KS);
    await api.getJson(KS);
    assert.deepEqual(rotating.stats.requests.map((r) => r.user), ["fluxlight-agent", "fluxlight-rotated", "fluxlight-rotated"]);
  } finally {
    await rotating.stop();
  }
});

test("fluxlight status works through TLS and a client certificate", async () => {
  const { path } = access({ "certificate-authority-data": b64("ca.crt") }, { "client-certificate-data": b64("client.crt"), "client-key-data": b64("client.key") });
  let stdout = "";
  const code = await runStatus({ kubeconfig: path, namespaces: [], output: "table" }, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => {} }, env: { HOME: "/nonexistent" } });
  assert.equal(code, 0);
  assert.match(stdout, /^Kustomization +flux-system +apps +True +ready /m);
  assert.match(stdout, /^signal: ok$/m);
});

test("watch lines cut anywhere, multi-byte text included, come out whole and in order", () => {
  const events = [JSON.stringify({ type: "ADDED", object: { m: "naïve ✓ 🚦" } }), JSON.stringify({ type: "MODIFIED", object: { m: "x".repeat(100_000) } }), JSON.stringify({ type: "DELETED", object: {} })];
  const text = events.join("\n") + "\n\n";
  for (const size of [1, 7, 4096, text.length]) {
    const seen: string[] = [];
    const split = lineSplitter((l) => seen.push(l));
    for (let i = 0; i < text.length; i += size) split(text.slice(i, i + size));
    assert.deepEqual(seen, events, `chunks of ${size}`);
  }
});
