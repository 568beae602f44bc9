// Issue 6: the API server restarts. A restart shorter than the grace never moves the LED; a
// longer outage shows `unknown` (blue, blinking) and the light comes back on its own.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, ks, fail, sleep, since, waitForBlueBlink } from "./rig.ts";
import { watchKind, type SourceSink } from "../../agent/source/reflector.ts";
import { kubeClient } from "../../agent/kube/client.ts";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { createLog } from "../../agent/log/logger.ts";
import { startCluster } from "../e2e/harness.ts";
import { backoff } from "../../agent/shared/backoff.ts";

const GRACE = 3000;

test("API server restarts: a short one leaves green, a long one blinks blue, then the truth is back", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })], settings: { progressGraceMs: GRACE } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");

  await t.test("an outage well within the grace: the LED never leaves green", async () => {
    const signals = rig.logs.events("signal").length;
    const watching = rig.sample(GRACE + 1000);
    await rig.server.stop();
    await sleep(400);
    await rig.server.start();
    const seen = new Set(await watching);
    assert.deepEqual([...seen], ["green"]);
    assert.equal(rig.logs.events("signal").length, signals, "no signal transition");
    await rig.logs.waitFor((l) => l.event === "api-recovered" && l.kind === "Kustomization", 5000, "the recovery line");
  });

  await t.test("an outage past the grace: unknown, blue blinking, logged; then back, with what changed meanwhile", async () => {
    const mark = rig.logs.lines.length;
    await rig.server.stop();
    await waitForBlueBlink(rig, GRACE + 6000);
    const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 1000, "the unknown line");
    assert.match(String(line.summary), /API unreachable for \d+(\.\d+)?s: .*ECONNREFUSED/);
    assert.ok(since(rig.logs, mark, (l) => l.event === "api-error" && l.level === 40).length >= 1, "the failure is a warning");
    // The failure happened while the agent could not see: the list after the outage brings it.
    fail(rig.server, ks("apps"));
    await rig.server.start();
    await rig.waitForLed("red", 8000);
    await rig.logs.waitFor((l) => l.event === "signal" && l.from === "unknown" && l.to === "failed", 1000, "unknown → failed");
    // Never green on the way: the view is not synced before the list after the outage is applied.
    assert.deepEqual(since(rig.logs, mark, (l) => l.event === "signal").map((l) => l.to), ["unknown", "failed"]);
  });
});

/** One reflector of the Kustomizations on a simulated API server, and what it told its sink, in order. */
async function reflectorRig(t: TestContext) {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const said: string[] = [];
  const sink: SourceSink = {
    replace: (_s, views) => said.push(`replace ${views.map((v) => `${v.name}:${v.conditions.find((c) => c.type === "Ready")?.status}`).join(",")}`),
    upsert: (_s, v) => said.push(`upsert ${v.name}`),
    remove: (_s, r) => said.push(`remove ${r.name}`),
    connectivity: (_s, c) => said.push(c.state),
  };
  const api = kubeClient(loadKubeConfig({ kubeconfig: cluster.kubeconfig }, {}));
  const kind = { kind: "Kustomization", group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" };
  const source = watchKind(api, kind, { kind: "Kustomization" }, sink, { log: createLog({ level: "silent", format: "json" }), now: Date.now, backoff: backoff(100, 200) });
  t.after(async () => {
    source.stop();
    await cluster.stop();
  });
  const until = async (what: string) => {
    for (let i = 0; i < 1000 && !said.includes(what); i++) await sleep(10);
    assert.ok(said.includes(what), `${what} in ${said.join(", ")}`);
  };
  await until("synced");
  return { server: cluster.server, source, said, until };
}

test("after an outage the scope is listed again, not replayed, and called synced only once that list is applied", async (t) => {
  const { server, said, until } = await reflectorRig(t);
  await server.stop();
  await until("unreachable");
  fail(server, ks("apps"));
  said.length = 0;
  await server.start();
  await until("synced");
  // The outage's change (apps failed) reaches the store as one complete list before the view is
  // called synced again: a replay read in pieces could be called synced half-applied.
  assert.deepEqual(said.filter((x) => x !== "unreachable"), ["replace apps:False", "synced"]);
});

test("a partition the probe noticed: the watch is given up, and on heal the scope is listed, not replayed from the held stream", async (t) => {
  const { server, source, said, until } = await reflectorRig(t);
  said.length = 0;
  server.silence();
  source.partitioned(Date.now(), "the API server does not answer");
  assert.deepEqual(said, ["unreachable"], "the scope's view is no longer the truth, at once");
  fail(server, ks("apps")); // held back by the partition, in the old watch's stream too
  await sleep(300);
  server.heal();
  await until("synced");
  assert.deepEqual(said, ["unreachable", "replace apps:False", "synced"], "one complete list, then synced; nothing replayed");
});
