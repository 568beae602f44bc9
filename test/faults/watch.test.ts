// Issue 6, faults in the watch itself: a stream cut in the middle of an event, and 410 Gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, ks, fail, succeed, since } from "./rig.ts";

test("a watch cut mid-event resumes from its resourceVersion: the change made during the cut shows, no relist", async (t) => {
  const rig = await startFaultRig({
    objects: ["apps", "infra", "monitoring"].map((name) => kustomization({ name, ready: "True" })),
  });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  await rig.logs.waitFor((l) => l.event === "listed" && l.kind === "Kustomization", 5000, "the first list");
  const lists = rig.server.count({ verb: "list", kind: "Kustomization" });
  const mark = rig.logs.lines.length;

  // A change goes out on the stream, then the stream is cut half-way through a line, and
  // while no watch is open, apps fails: only the resumed watch can bring that news.
  succeed(rig.server, ks("infra"), "rev-9");
  const cut = rig.server.dropWatches({ midEvent: true });
  assert.ok(cut > 0, "watches were open to cut");
  fail(rig.server, ks("apps"), "kustomize build failed: no such file apps/kustomization.yaml");

  await rig.waitForLed("red", 10_000);
  const line = await rig.logs.waitFor((l) => l.event === "verdict" && l.name === "apps" && l.verdict === "failed", 2000, "apps' failed line");
  assert.match(String(line.message), /no such file/);
  assert.ok(since(rig.logs, mark, (l) => l.event === "watch-restart" && l.reason === "Dropped" && l.kind === "Kustomization").length >= 1, "the drop is logged");

  // And back, through another cut.
  rig.server.dropWatches({ midEvent: true });
  succeed(rig.server, ks("apps"), "rev-10");
  await rig.waitForLed("green", 10_000);
  assert.equal(rig.server.count({ verb: "list", kind: "Kustomization" }), lists, "resumed from the resourceVersion: no relist");
  assert.equal(since(rig.logs, mark, (l) => Number(l.level) >= 50).length, 0, "no error-level lines");
});

test("410 Gone while the watch is down: relist, and an object deleted in the gap is forgotten", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" }), kustomization({ name: "broken", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  fail(rig.server, ks("broken"));
  await rig.waitForLed("red");
  const lists = rig.server.count({ verb: "list", kind: "Kustomization" });

  // The API server goes away; while it is down the failed object is deleted and the history
  // compacted, so the resumed watch hears 410 Gone and never sees the DELETED event.
  await rig.server.stop();
  rig.server.delete(ks("broken"));
  rig.server.removeFinalizers(ks("broken"));
  rig.server.compact();
  await rig.server.start();

  await rig.logs.waitFor((l) => l.event === "watch-restart" && l.reason === "Expired" && l.kind === "Kustomization", 10_000, "the 410 line");
  await rig.waitForLed("green", 10_000);
  assert.ok(rig.server.count({ verb: "list", kind: "Kustomization" }) > lists, "relisted");
  const relisted = rig.logs.events("listed").filter((l) => l.kind === "Kustomization").at(-1)!;
  assert.equal(relisted.objects, 1, "the relist holds apps only");
  const snap = rig.agent.snapshot();
  assert.deepEqual(snap.objects.filter((o) => o.kind === "Kustomization"), [{ kind: "Kustomization", verdict: "ready", count: 1 }], "broken is forgotten");
});
