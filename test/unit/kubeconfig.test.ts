// Reading a kubeconfig as kubectl does, and refusing by field name what fluxlight cannot honour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { accessFromKubeconfig, inClusterAccess, KubeconfigError } from "../../agent/kube/config.ts";
import { bearerFile } from "../../agent/kube/credentials.ts";
import { loadKubeConfig, UsageError } from "../../agent/cli/kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "fluxlight-kubeconfig-"));

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "other", cluster: { server: "https://other:6443" } }, { name: "home", cluster }],
    users: [{ name: "me", user }],
    contexts: [{ name: "home", context: { cluster: "home", user: "me" } }, { name: "away", context: { cluster: "other", user: "me" } }],
    "current-context": "home",
    ...extra,
  };
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KubeconfigError, String(err));
    return err.field;
  }
  assert.fail("no error");
}

test("the current context's cluster and user; -data fields, and files relative to the kubeconfig", async () => {
  writeFileSync(join(dir, "ca.pem"), "CA FROM FILE");
  const doc = kubeconfig({ server: "https://home.lan:6443/", "certificate-authority": "ca.pem", "tls-server-name": "kubernetes" }, { token: "abc", "client-certificate-data": Buffer.from("CERT").toString("base64"), "client-key-data": Buffer.from("KEY").toString("base64") });
  const a = accessFromKubeconfig(doc, join(dir, "config"));
  assert.equal(a.server.host, "home.lan:6443");
  assert.equal(a.context, "home");
  assert.equal(a.tls.ca?.toString(), "CA FROM FILE");
  assert.equal(a.tls.cert?.toString(), "CERT");
  assert.equal(a.tls.key?.toString(), "KEY");
  assert.equal(a.tls.serverName, "kubernetes");
  assert.equal(a.tls.insecure, false);
  assert.deepEqual(await a.credentials.get(), { authorization: "Bearer abc" });
  assert.equal(accessFromKubeconfig(doc, join(dir, "config"), "away").server.host, "other:6443");
});

test("basic auth and no credentials at all", async () => {
  const basic = accessFromKubeconfig(kubeconfig({ server: "http://127.0.0.1:8080" }, { username: "admin", password: "pw" }), join(dir, "c"));
  assert.deepEqual(await basic.credentials.get(), { authorization: `Basic ${Buffer.from("admin:pw").toString("base64")}` });
  const anonymous = accessFromKubeconfig(kubeconfig({ server: "http://127.0.0.1:8080" }, {}), join(dir, "c"));
  assert.deepEqual(await anonymous.credentials.get(), {});
});

test("what fluxlight cannot honour is refused by its field", () => {
  const at = (cluster: Record<string, unknown>, user: Record<string, unknown> = {}, extra = {}) => fieldOf(() => accessFromKubeconfig(kubeconfig(cluster, user, extra), join(dir, "c")));
  assert.equal(at({ server: "https://x", "proxy-url": "http://proxy:3128" }), "clusters[1].cluster.proxy-url");
  assert.equal(at({ server: "https://x" }, { "auth-provider": { name: "oidc" } }), "users[0].user.auth-provider");
  assert.equal(at({ server: "not a url" }), "clusters[1].cluster.server");
  assert.equal(at({ server: "ftp://x" }), "clusters[1].cluster.server");
  assert.equal(at({}), "clusters[1].cluster.server");
  assert.equal(at({ server: "https://x", "certificate-authority": "missing.pem" }), "clusters[1].cluster.certificate-authority");
  assert.equal(at({ server: "https://x" }, { "client-certificate-data": "Q0VSVA==" }), "users[0].user.client-key");
  assert.equal(at({ server: "https://x" }, { exec: { command: "kubelogin", args: "get-token" } }), "users[0].user.exec.args");
  assert.equal(at({ server: "https://x" }, { exec: { args: [] } }), "users[0].user.exec.command");
  assert.equal(at({ server: "https://x" }, { token: 42 }), "users[0].user.token");
  assert.equal(at({ server: "https://x" }, {}, { "current-context": "nowhere" }), "contexts");
  assert.equal(at({ server: "https://x" }, {}, { "current-context": undefined }), "current-context");
  assert.equal(fieldOf(() => accessFromKubeconfig(["a list"], "c")), "(file)");
});

test("the CLI names the flag, the file and the field, and lists the contexts there are", () => {
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof UsageError, String(err));
      return err.message;
    }
    return assert.fail("no error");
  };
  const proxied = write("proxied", dump(kubeconfig({ server: "https://x", "proxy-url": "socks5://p:1080" }, {})));
  assert.match(message(() => loadKubeConfig({ kubeconfig: proxied }, {})), /^--kubeconfig: .*proxied: clusters\[1\]\.cluster\.proxy-url: fluxlight does not go through a proxy/);
  assert.match(message(() => loadKubeConfig({}, { KUBECONFIG: proxied })), /^KUBECONFIG: /);
  assert.match(message(() => loadKubeConfig({ kubeconfig: proxied, context: "nope" }, {})), /^--context: no context "nope" in .* \(it has: home, away\)$/);
  const noCurrent = write("no-current", dump({ ...kubeconfig({ server: "https://x" }, {}), "current-context": "" }));
  assert.match(message(() => loadKubeConfig({ kubeconfig: noCurrent }, {})), /^--context: .* has no current-context; pass --context \(it has: home, away\)$/);
  assert.match(message(() => loadKubeConfig({ kubeconfig: write("bad-yaml", "clusters: [\n") }, {})), /^--kubeconfig: .*bad-yaml is not a readable kubeconfig: .*not YAML/);
  // A JSON kubeconfig is YAML too.
  const json = write("json", JSON.stringify(kubeconfig({ server: "https://json.lan" }, { token: "t" })));
  assert.equal(loadKubeConfig({ kubeconfig: json }, {}).server.host, "json.lan");
});

test("in a pod: the service host (IPv6 in brackets), the mounted CA, and a token re-read as it rotates", async () => {
  const sa = mkdtempSync(join(tmpdir(), "fluxlight-sa-"));
  writeFileSync(join(sa, "ca.crt"), "CLUSTER CA");
  writeFileSync(join(sa, "token"), "first\n");
  const a = inClusterAccess({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, sa);
  assert.equal(a.server.href, "https://[fd00::1]/");
  assert.equal(a.tls.ca?.toString(), "CLUSTER CA");
  assert.equal(inClusterAccess({ KUBERNETES_SERVICE_HOST: "10.43.0.1", KUBERNETES_SERVICE_PORT: "6443" }, sa).server.host, "10.43.0.1:6443");
  assert.equal(fieldOf(() => inClusterAccess({}, sa)), "KUBERNETES_SERVICE_HOST");

  let t = 0;
  const token = bearerFile(join(sa, "token"), "service account token", () => t);
  assert.deepEqual(await token.get(), { authorization: "Bearer first" });
  writeFileSync(join(sa, "token"), "second\n");
  t = 30_000;
  assert.deepEqual(await token.get(), { authorization: "Bearer first" }, "kept for a minute, as client-go does");
  t = 61_000;
  assert.deepEqual(await token.get(), { authorization: "Bearer second" });
  writeFileSync(join(sa, "token"), "third\n");
  token.rejected();
  assert.deepEqual(await token.get(), { authorization: "Bearer third" }, "a 401 makes it read the file again at once");
});
