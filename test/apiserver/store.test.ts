import { test } from "node:test";
import assert from "node:assert/strict";
import { bucket, kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileStarted } from "../../agent/sim/flux/controller.ts";
import type { JsonObject } from "../../agent/sim/flux/schema.ts";
import { ApiError } from "../../agent/sim/apiserver/status.ts";
import { failure, harness, KS } from "./helpers.ts";

const ref = (name: string) => ({ kind: "Kustomization", namespace: "flux-system", name });
const md = (o: unknown) => (o as { metadata: JsonObject }).metadata;

test("HTTP create: defaults applied (status.observedGeneration = -1), status dropped, generation 1, uid, rv", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const body = kustomization({ name: "web", ready: "True", generation: 7 });
  delete (body.spec as JsonObject).force;
  (body.spec as JsonObject).notInSchema = "pruned";
  const created = (await h.api.createNamespacedCustomObject({ ...KS, namespace: "flux-system", body })) as JsonObject;
  assert.deepEqual(created.status, { observedGeneration: -1 });
  assert.equal((created.spec as JsonObject).force, false, "spec default applied");
  assert.equal((created.spec as JsonObject).notInSchema, undefined, "unknown field pruned");
  assert.equal(md(created).generation, 1);
  assert.match(String(md(created).uid), /^[0-9a-f-]{36}$/);
  assert.equal(md(created).resourceVersion, h.server.resourceVersion);
  assert.match(String(md(created).creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const b = bucket({ name: "caddy-bucket" });
  delete b.status;
  const cb = (await h.api.createNamespacedCustomObject({ group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets", namespace: "flux-system", body: b })) as JsonObject;
  assert.deepEqual(cb.status, { observedGeneration: -1 });
  const dup = await failure(h.api.createNamespacedCustomObject({ ...KS, namespace: "flux-system", body }));
  assert.equal(dup.code, 409);
  assert.equal(dup.body.reason, "AlreadyExists");
});

test("validation: an invalid Kustomization is rejected with 422 Invalid", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const body = kustomization({ name: "web" });
  (body.spec as JsonObject).interval = "every minute";
  delete (body.spec as JsonObject).prune;
  const f = await failure(h.api.createNamespacedCustomObject({ ...KS, namespace: "flux-system", body }));
  assert.equal(f.code, 422);
  assert.equal(f.body.reason, "Invalid");
  assert.match(String(f.body.message), /^Kustomization\.kustomize\.toolkit\.fluxcd\.io "web" is invalid: \[/);
  const causes = (f.body.details as { causes: Array<{ field: string; reason: string }> }).causes;
  assert.deepEqual(causes.map((c) => `${c.field} ${c.reason}`).sort(), ["spec.interval FieldValueInvalid", "spec.prune FieldValueRequired"]);
  assert.equal(h.server.list("Kustomization").length, 0);
  assert.throws(() => h.server.create(body), (e: unknown) => e instanceof ApiError && e.code === 422);
  // A bad status write through the status subresource is rejected too.
  h.server.create(kustomization({ name: "ok" }));
  assert.throws(() => h.server.patchStatus(ref("ok"), { conditions: [{ type: "Ready", status: "Maybe" }] }), (e: unknown) => e instanceof ApiError && e.code === 422);
});

test("generation: bumped by spec changes only, not by metadata or status", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const o = h.server.create(kustomization({ name: "web", ready: "True" }));
  assert.equal(md(o).generation, 1);
  const labelled = h.server.update({ ...o, metadata: { ...md(o), labels: { a: "b" }, annotations: { "reconcile.fluxcd.io/requestedAt": "now" } } });
  assert.equal(md(labelled).generation, 1, "metadata-only change");
  assert.notEqual(md(labelled).resourceVersion, md(o).resourceVersion);
  const st = h.server.updateStatus(ref("web"), reconcileStarted(labelled));
  assert.equal(md(st).generation, 1, "status change");
  const spec = h.server.update({ ...st, spec: { ...(st.spec as JsonObject), interval: "1m" } });
  assert.equal(md(spec).generation, 2, "spec change");
  const ignored = h.server.update({ ...spec, status: { observedGeneration: 99 } });
  assert.deepEqual(ignored.status, spec.status, "PUT ignores status");
  assert.equal(md(ignored).resourceVersion, md(spec).resourceVersion, "a no-op write creates no new resourceVersion");
  // Over HTTP, the status subresource and a stale resourceVersion.
  const cur = h.server.get(ref("web"))!;
  const put = (await h.api.replaceNamespacedCustomObjectStatus({ ...KS, namespace: "flux-system", name: "web", body: { ...cur, status: { observedGeneration: 2 } } })) as JsonObject;
  assert.deepEqual(put.status, { observedGeneration: 2 });
  assert.equal(md(put).generation, 2);
  const stale = await failure(h.api.replaceNamespacedCustomObject({ ...KS, namespace: "flux-system", name: "web", body: cur }));
  assert.equal(stale.code, 409);
  assert.equal(stale.body.reason, "Conflict");
});

test("delete: finalizers mark (deletionTimestamp, generation + 1) then clearing them deletes", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "web", ready: "True" }));
  const marked = (await h.api.deleteNamespacedCustomObject({ ...KS, namespace: "flux-system", name: "web" })) as JsonObject;
  assert.ok(md(marked).deletionTimestamp);
  assert.equal(md(marked).generation, 2);
  assert.ok(h.server.get(ref("web")));
  const cur = h.server.get(ref("web"))!;
  assert.throws(() => h.server.update({ ...cur, metadata: { ...md(cur), finalizers: ["finalizers.fluxcd.io", "new"] } }), (e: unknown) => e instanceof ApiError && e.code === 422);
  h.server.removeFinalizers(ref("web"));
  assert.equal(h.server.get(ref("web")), undefined);
  h.server.create(kustomization({ name: "plain", finalizers: [] }));
  h.server.delete(ref("plain"));
  assert.equal(h.server.get(ref("plain")), undefined);
});

test("createUnchecked stores what validation would reject (malformed-object tests)", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const bad = kustomization({ name: "bad" });
  bad.status = { conditions: "not-a-list", observedGeneration: "one" };
  h.server.createUnchecked(bad);
  const got = (await h.api.getNamespacedCustomObject({ ...KS, namespace: "flux-system", name: "bad" })) as JsonObject;
  assert.deepEqual(got.status, { conditions: "not-a-list", observedGeneration: "one" });
});

test("HTTP merge-patch and json-patch on the status subresource", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "web" }));
  const res = await fetch(`${h.server.url}/apis/${KS.group}/${KS.version}/namespaces/flux-system/${KS.plural}/web/status`, {
    method: "PATCH",
    headers: { authorization: "Bearer fluxlight-sim-token", "content-type": "application/merge-patch+json" },
    body: JSON.stringify({ status: { lastHandledReconcileAt: "x" }, spec: { interval: "1s" } }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as JsonObject;
  assert.equal((body.status as JsonObject).lastHandledReconcileAt, "x");
  assert.equal((body.spec as JsonObject).interval, "10m", "the status subresource ignores spec");
  const jp = await fetch(`${h.server.url}/apis/${KS.group}/${KS.version}/namespaces/flux-system/${KS.plural}/web`, {
    method: "PATCH",
    headers: { authorization: "Bearer fluxlight-sim-token", "content-type": "application/json-patch+json" },
    body: JSON.stringify([{ op: "replace", path: "/spec/interval", value: "1m" }]),
  });
  assert.equal(jp.status, 200);
  assert.equal(md(await jp.json()).generation, 2);
});
