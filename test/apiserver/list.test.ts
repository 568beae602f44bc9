import { test } from "node:test";
import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { bucket, kustomization } from "../../agent/sim/flux/objects.ts";
import { failure, harness, KS } from "./helpers.ts";

type List = { kind: string; apiVersion: string; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }; items: Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> } }> };

test("list: cluster-wide and namespaced, items carry apiVersion/kind, list resourceVersion", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a", namespace: "apps", ready: "True" }));
  h.server.create(kustomization({ name: "b", namespace: "flux-system", ready: "False" }));
  h.server.create(bucket({ name: "caddy-bucket", ready: "True" }));
  const all = (await h.api.listClusterCustomObject({ ...KS })) as List;
  assert.equal(all.kind, "KustomizationList");
  assert.equal(all.apiVersion, "kustomize.toolkit.fluxcd.io/v1");
  assert.equal(all.metadata.resourceVersion, h.server.resourceVersion);
  assert.deepEqual(all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ["apps/a", "flux-system/b"]);
  for (const i of all.items) assert.deepEqual([i.apiVersion, i.kind], ["kustomize.toolkit.fluxcd.io/v1", "Kustomization"]);
  const ns = (await h.api.listNamespacedCustomObject({ ...KS, namespace: "apps" })) as List;
  assert.deepEqual(ns.items.map((i) => i.metadata.name), ["a"]);
  assert.equal(h.server.count({ verb: "list", kind: "Kustomization" }), 2);
});

test("list: label selectors (=, !=, exists, !exists, in, notin)", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a", labels: { tier: "infra", team: "x" } }));
  h.server.create(kustomization({ name: "b", labels: { tier: "apps" } }));
  h.server.create(kustomization({ name: "c" }));
  const names = async (labelSelector: string) => ((await h.api.listClusterCustomObject({ ...KS, labelSelector })) as List).items.map((i) => i.metadata.name);
  assert.deepEqual(await names("tier=infra"), ["a"]);
  assert.deepEqual(await names("tier==apps"), ["b"]);
  assert.deepEqual(await names("tier!=infra"), ["b", "c"]);
  assert.deepEqual(await names("tier"), ["a", "b"]);
  assert.deepEqual(await names("!tier"), ["c"]);
  assert.deepEqual(await names("tier in (infra,apps)"), ["a", "b"]);
  assert.deepEqual(await names("tier notin (infra)"), ["b", "c"]);
  assert.deepEqual(await names("tier=infra,team=x"), ["a"]);
  assert.equal((await failure(h.api.listClusterCustomObject({ ...KS, labelSelector: "tier in infra" }))).code, 400);
});

test("list: limit/continue pagination is a consistent snapshot; an expired token gets 410", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  for (const n of ["a", "b", "c", "d", "e"]) h.server.create(kustomization({ name: n }));
  const p1 = (await h.api.listClusterCustomObject({ ...KS, limit: 2 })) as List;
  assert.deepEqual(p1.items.map((i) => i.metadata.name), ["a", "b"]);
  assert.equal(p1.metadata.remainingItemCount, 3);
  assert.ok(p1.metadata.continue);
  // Writes between pages do not show: the rest is served as of the first page's resourceVersion.
  h.server.delete({ kind: "Kustomization", name: "c" });
  h.server.removeFinalizers({ kind: "Kustomization", name: "c" });
  h.server.create(kustomization({ name: "bb" }));
  const p2 = (await h.api.listClusterCustomObject({ ...KS, limit: 2, _continue: p1.metadata.continue })) as List;
  assert.deepEqual(p2.items.map((i) => i.metadata.name), ["c", "d"]);
  assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
  const p3 = (await h.api.listClusterCustomObject({ ...KS, limit: 2, _continue: p2.metadata.continue })) as List;
  assert.deepEqual(p3.items.map((i) => i.metadata.name), ["e"]);
  assert.equal(p3.metadata.continue, undefined);
  h.server.compact();
  const gone = await failure(h.api.listClusterCustomObject({ ...KS, limit: 2, _continue: p1.metadata.continue }));
  assert.equal(gone.code, 410);
  assert.equal(gone.body.reason, "Expired");
  assert.match(String(gone.body.message), /^The provided continue parameter is too old/);
});

test("401 with a Status body when the token is missing or wrong", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.setToken("rotated");
  // client-node's generated code throws 401 without the body, so read the body over plain HTTP.
  assert.equal((await failure(h.api.listClusterCustomObject({ ...KS }))).code, 401);
  for (const headers of [{}, { authorization: "Bearer fluxlight-sim-token" }] as Record<string, string>[]) {
    const res = await fetch(`${h.server.url}/apis/${KS.group}/${KS.version}/${KS.plural}`, { headers });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
  }
});

test("403 with the real API server's message, cluster scope and namespace scope", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.forbid({ group: KS.group, resource: "kustomizations", verb: "list" });
  const f = await failure(h.api.listClusterCustomObject({ ...KS }));
  assert.equal(f.code, 403);
  assert.equal(f.body.reason, "Forbidden");
  assert.equal(f.body.message, 'kustomizations.kustomize.toolkit.fluxcd.io is forbidden: User "system:serviceaccount:fluxlight:fluxlight" cannot list resource "kustomizations" in API group "kustomize.toolkit.fluxcd.io" at the cluster scope');
  assert.deepEqual(f.body.details, { group: KS.group, kind: "kustomizations" });
  const n = await failure(h.api.listNamespacedCustomObject({ ...KS, namespace: "flux-system" }));
  assert.match(String(n.body.message), / in the namespace "flux-system"$/);
  // Other verbs and kinds are unaffected; allow() lifts the rule.
  await h.api.listClusterCustomObject({ group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets" });
  h.server.allow();
  await h.api.listClusterCustomObject({ ...KS });
});

test("404 NotFound Status for a kind whose CRD is not installed, and after removeCrd", async (t) => {
  const h = await harness({ crds: ["Kustomization"] });
  t.after(() => h.close());
  const f = await failure(h.api.listClusterCustomObject({ group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets" }));
  assert.equal(f.code, 404);
  assert.deepEqual(f.body, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 });
  h.server.installCrd("Bucket");
  await h.api.listClusterCustomObject({ group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets" });
  h.server.removeCrd("Kustomization");
  assert.equal((await failure(h.api.listClusterCustomObject({ ...KS }))).code, 404);
  const missing = await failure(h.api.getNamespacedCustomObject({ group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets", namespace: "flux-system", name: "nope" }));
  assert.equal(missing.body.message, 'buckets.source.toolkit.fluxcd.io "nope" not found');
});

test("discovery reflects the installed CRDs", async (t) => {
  const h = await harness({ crds: ["Kustomization", "Bucket"] });
  t.after(() => h.close());
  const get = async (path: string) => {
    const res = await fetch(h.server.url + path, { headers: { authorization: "Bearer fluxlight-sim-token" } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  assert.equal((await get("/version")).body.major, "1");
  assert.equal((await get("/api")).body.kind, "APIVersions");
  const groups = (await get("/apis")).body as { kind: string; groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> };
  assert.equal(groups.kind, "APIGroupList");
  // apps and coordination.k8s.io are built in (Deployments and Leases), served with or without Flux.
  assert.deepEqual(groups.groups.map((g) => g.name), ["apps", "coordination.k8s.io", "kustomize.toolkit.fluxcd.io", "source.toolkit.fluxcd.io"]);
  const rl = (await get("/apis/source.toolkit.fluxcd.io/v1")).body as { kind: string; groupVersion: string; resources: Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }> };
  assert.equal(rl.kind, "APIResourceList");
  assert.deepEqual(rl.resources.map((r) => r.name), ["buckets", "buckets/status"]);
  assert.ok(rl.resources[0]!.verbs.includes("watch"));
  assert.equal((await get("/apis/helm.toolkit.fluxcd.io/v2")).status, 404);
  h.server.installCrd("HelmRelease");
  assert.equal((await get("/apis/helm.toolkit.fluxcd.io/v2")).status, 200);
  h.server.removeCrd("Bucket");
  const after = (await get("/apis/source.toolkit.fluxcd.io/v1")).status;
  assert.equal(after, 404);
});

test("kubeconfig is a standard one client-node loads", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  assert.equal(kc.getCurrentCluster()?.server, h.server.url);
  assert.equal(kc.getCurrentUser()?.token, "fluxlight-sim-token");
  assert.equal(kc.getCurrentContext(), "fluxlight-sim");
});
