import { test } from "node:test";
import { request } from "node:http";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { successfulRun } from "../../agent/sim/flux/controller.ts";
import type { JsonObject } from "../../agent/sim/flux/schema.ts";
import { harness, KS, KS_PATH, startWatch, until } from "./helpers.ts";

const ref = (name: string) => ({ kind: "Kustomization", namespace: "flux-system", name });
const brief = (e: { type: string; object: { metadata?: { name?: string; resourceVersion?: string } } }) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`;

test("watch from a list's resourceVersion: events in order, history replayed", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const obj = h.server.create(kustomization({ name: "main", ready: "True", generation: 2, observedGeneration: 1 }));
  const listed = (await h.api.listClusterCustomObject({ ...KS })) as { metadata: { resourceVersion: string } };
  const rv0 = Number(listed.metadata.resourceVersion);
  // Written before the watch starts: must be replayed from the resourceVersion.
  const steps = successfulRun(obj, "sha256:abc");
  h.server.updateStatus(ref("main"), steps[0]);
  const w = await startWatch(h.kc, KS_PATH, { resourceVersion: listed.metadata.resourceVersion });
  t.after(() => w.abort());
  for (const s of steps.slice(1)) h.server.updateStatus(ref("main"), s);
  h.server.create(kustomization({ name: "other" }));
  h.server.delete(ref("other"));
  h.server.removeFinalizers(ref("other"));
  const expected = steps.length + 3;
  await until(() => w.events.length >= expected);
  assert.deepEqual(w.events.map((e) => e.type), [...steps.map(() => "MODIFIED"), "ADDED", "MODIFIED", "DELETED"]);
  const rvs = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
  assert.deepEqual(rvs, rvs.map((_, i) => rv0 + i + 1), "one event per write, resourceVersions consecutive");
  const last = w.events[steps.length - 1]!.object as JsonObject;
  assert.equal((last.status as JsonObject).observedGeneration, 2);
  assert.ok((w.events[steps.length + 1]!.object.metadata as JsonObject).deletionTimestamp, "deletion with finalizers is a MODIFIED first");
});

test("watch without resourceVersion starts with synthetic ADDED events", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a" }));
  h.server.create(kustomization({ name: "b", namespace: "apps" }));
  const w = await startWatch(h.kc, KS_PATH, {});
  t.after(() => w.abort());
  await until(() => w.events.length === 2);
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ["ADDED b", "ADDED a"]);
});

test("410: a watch from a compacted resourceVersion gets an Expired ERROR event", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a" }));
  const old = Number(h.server.resourceVersion);
  h.server.create(kustomization({ name: "b" }));
  h.server.compact();
  const floor = Number(h.server.resourceVersion);
  const w = await startWatch(h.kc, KS_PATH, { resourceVersion: old });
  assert.equal(await w.done, null, "the stream ends cleanly after the ERROR event");
  assert.equal(w.events.length, 1);
  assert.deepEqual(w.events[0], {
    type: "ERROR",
    object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${old} (${floor})`, reason: "Expired", code: 410 },
  });
  // From the compaction point on, watching works.
  const ok = await startWatch(h.kc, KS_PATH, { resourceVersion: floor });
  t.after(() => ok.abort());
  h.server.create(kustomization({ name: "c" }));
  await until(() => ok.events.length === 1);
  assert.equal(ok.events[0]!.type, "ADDED");
});

test("a dropped watch stream is seen by the client; a half-written event is not delivered", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a", ready: "True" }));
  const w1 = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion });
  const w2 = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion });
  await until(() => h.server.stats.openWatches === 2);
  h.server.updateStatus(ref("a"), { observedGeneration: 1 });
  await until(() => w1.events.length === 1 && w2.events.length === 1);
  assert.equal(h.server.dropWatches({ midEvent: true }), 2);
  const [e1, e2] = await Promise.all([w1.done, w2.done]);
  assert.ok(e1 instanceof Error, `client saw an error: ${String(e1)}`);
  assert.ok(e2 instanceof Error);
  assert.equal(w1.events.length, 1, "the partial line was not parsed as an event");
  await until(() => h.server.stats.openWatches === 0);
  // A graceful end (like timeoutSeconds) is a clean close.
  const w3 = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion });
  await until(() => h.server.stats.openWatches === 1);
  h.server.dropWatches({ graceful: true });
  assert.equal(await w3.done, null);
});

test("timeoutSeconds ends the stream; bookmarks come when allowed", async (t) => {
  const h = await harness({ bookmarkIntervalMs: 50 });
  t.after(() => h.close());
  const w = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1 });
  const started = Date.now();
  assert.equal(await w.done, null);
  assert.ok(Date.now() - started >= 900);
  const bm = w.events.filter((e) => e.type === "BOOKMARK");
  assert.ok(bm.length >= 3);
  assert.deepEqual(bm[0]!.object, { kind: "Kustomization", apiVersion: "kustomize.toolkit.fluxcd.io/v1", metadata: { resourceVersion: h.server.resourceVersion, creationTimestamp: null } });
  const plain = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion, timeoutSeconds: 1 });
  await plain.done;
  assert.equal(plain.events.length, 0, "no bookmarks unless asked");
});

test("watch with a label selector: objects moving in and out are ADDED and DELETED", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  const a = h.server.create(kustomization({ name: "a", labels: { tier: "infra" } }));
  const w = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion, labelSelector: "tier=infra" });
  t.after(() => w.abort());
  h.server.create(kustomization({ name: "b", labels: { tier: "apps" } }));
  h.server.update({ ...a, metadata: { ...(a.metadata as JsonObject), labels: { tier: "apps" } } });
  const b = h.server.get(ref("b"))!;
  h.server.update({ ...b, metadata: { ...(b.metadata as JsonObject), labels: { tier: "infra" } } });
  await until(() => w.events.length >= 2);
  assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ["DELETED a", "ADDED b"]);
});

test("API server restart: stop() cuts watches and refuses connections, start() serves again on the same port with the same data", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a" }));
  const port = h.server.port;
  const w = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion });
  await until(() => h.server.stats.openWatches === 1);
  await h.server.stop();
  assert.ok((await w.done) instanceof Error);
  await assert.rejects(h.api.listClusterCustomObject({ ...KS }));
  h.server.create(kustomization({ name: "b" }));
  await h.server.start();
  assert.equal(h.server.port, port);
  const list = (await h.api.listClusterCustomObject({ ...KS })) as { items: unknown[] };
  assert.equal(list.items.length, 2);
  assert.ok(h.server.count({ verb: "watch", kind: "Kustomization" }) === 1);
  assert.ok(h.server.stats.byPath[`list ${KS_PATH}`]! >= 1);
});

test("removeCrd ends watches on that kind after DELETED events", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a" }));
  const w = await startWatch(h.kc, KS_PATH, { resourceVersion: h.server.resourceVersion });
  await until(() => h.server.stats.openWatches === 1);
  h.server.removeCrd("Kustomization");
  assert.equal(await w.done, null);
  assert.deepEqual(w.events.map(brief).map((s) => s.split(" ").slice(0, 2).join(" ")), ["DELETED a"]);
});

test("midEvent: the raw stream ends inside an event line, without the chunked terminator", async (t) => {
  const h = await harness();
  t.after(() => h.close());
  h.server.create(kustomization({ name: "a", ready: "True", inventoryEntries: 50 }));
  const raw = await new Promise<{ body: string; aborted: boolean }>((resolve, reject) => {
    const req = request(`${h.server.url}${KS_PATH}?watch=true&resourceVersion=0`, { headers: { authorization: "Bearer fluxlight-sim-token" } }, (res) => {
      let body = "";
      let aborted = false;
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
        if (body.endsWith("\n") && h.server.stats.openWatches === 1) h.server.dropWatches({ midEvent: true });
      });
      res.on("aborted", () => (aborted = true));
      res.on("error", () => (aborted = true));
      res.on("close", () => resolve({ body, aborted }));
    });
    req.on("error", reject);
    req.end();
  });
  const lines = raw.body.split("\n");
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[0]!).type, "ADDED");
  assert.ok(lines[1]!.length > 10 && !lines[1]!.endsWith("}"), "half an event line");
  assert.throws(() => JSON.parse(lines[1]!));
  assert.ok(raw.aborted, "the response did not end cleanly");
});
