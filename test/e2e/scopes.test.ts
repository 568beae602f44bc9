// Issue 10, row 1: each scope's list replaces only that scope. The agent as it runs (startAgent,
// the emulated Uno on fluxlight's firmware, the local API server); the LED read off the chip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, fail, succeed, ks, waitForBlueBlink, sleep } from "../faults/rig.ts";

const ONLY_KS = { kinds: [{ kind: "Kustomization", group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" }] };

test("--namespace a --namespace b: a's failure stays red after b's list, and after b's relist", async (t) => {
  const rig = await startFaultRig({
    objects: [kustomization({ name: "broken", namespace: "a", ready: "False", reason: "BuildFailed", message: "kustomize build failed" }), kustomization({ name: "fine", namespace: "b", ready: "True" })],
    settings: { ...ONLY_KS, namespaces: ["a", "b"] },
  });
  t.after(() => rig.stop());
  await rig.waitForLed("red", 15_000, 500);
  const listed = rig.logs.events("listed").map((l) => [l.namespace, l.objects]);
  assert.deepEqual(listed.sort(), [["a", 1], ["b", 1]], "one list per namespace");
  assert.deepEqual(rig.agent.snapshot().objects.sort((x, y) => x.verdict.localeCompare(y.verdict)), [
    { kind: "Kustomization", verdict: "failed", count: 1 },
    { kind: "Kustomization", verdict: "ready", count: 1 },
  ]);

  // The watches expire (a write elsewhere, the history compacted, the streams cut): each
  // namespace relists, b's list says nothing of a's failure.
  await sleep(1500);
  const from = rig.logs.lines.length;
  rig.server.create(kustomization({ name: "elsewhere", namespace: "c", ready: "True" }));
  rig.server.compact();
  rig.server.dropWatches();
  await rig.logs.waitFor((l) => rig.logs.lines.indexOf(l) >= from && l.event === "listed" && l.namespace === "b", 15_000, "b's relist");
  assert.deepEqual(new Set(await rig.sample(1000)), new Set(["red"]), "red throughout");
  assert.equal(rig.agent.snapshot().objects.reduce((n, o) => n + o.count, 0), 2);

  // a recovers: green.
  succeed(rig.server, ks("broken", "a"));
  await rig.waitForLed("green", 10_000, 300);
});

test("--selector: only labelled objects count", async (t) => {
  const rig = await startFaultRig({
    objects: [
      kustomization({ name: "web", namespace: "apps", ready: "True", labels: { team: "web" } }),
      kustomization({ name: "db", namespace: "apps", ready: "False", reason: "BuildFailed", message: "not ours", labels: { team: "db" } }),
    ],
    settings: { ...ONLY_KS, selector: "team=web" },
  });
  t.after(() => rig.stop());
  await rig.waitForLed("green", 15_000, 500);
  fail(rig.server, ks("db", "apps"), "still not ours");
  await sleep(500);
  assert.deepEqual(new Set(await rig.sample(500)), new Set(["green"]), "another team's failure is not this light's");
  fail(rig.server, ks("web", "apps"));
  await rig.waitForLed("red", 5000, 300);
});

test("one namespace's list is forbidden (403), another's works: unknown, never the other's green", async (t) => {
  const rig = await startFaultRig({
    objects: [kustomization({ name: "hidden", namespace: "a", ready: "False", reason: "BuildFailed", message: "you cannot see me" }), kustomization({ name: "fine", namespace: "b", ready: "True" })],
    settings: { ...ONLY_KS, namespaces: ["a", "b"] },
  });
  rig.server.forbid({ resource: "kustomizations", namespace: "a" });
  t.after(() => rig.stop());
  await waitForBlueBlink(rig, 15_000);
  const denied = await rig.logs.waitFor((l) => l.event === "api-error" && l.cause === "denied", 2000, "the 403 line");
  assert.match(String(denied.fix), /in the namespace a; bind a Role there/);
  assert.ok(!(await rig.sample(1000)).includes("green"), "b's green list does not speak for a");

  // The Role is granted: a's list comes through, with its failure.
  rig.server.allow();
  await rig.waitForLed("red", 15_000, 300);
});
