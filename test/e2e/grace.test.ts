// The progress grace and the stuck limit, read on the chip: Flux's routine Ready=Unknown blips
// never move the LED; a reconcile that outlasts the grace shows amber; one that outlasts the
// stuck limit shows red (Stuck).
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileStarted, healthCheckRunning, reconcileSucceeded, successfulRun } from "../../agent/sim/flux/controller.ts";
import { startInProcess, RGB } from "./harness.ts";
import { setTimeout as sleep } from "node:timers/promises";

const GRACE = 1500;
const STUCK = 4000;
const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };

test("grace and stuck on the chip: a blip leaves green, a long reconcile goes amber, a stuck one red", async (t) => {
  const rig = await startInProcess({ led: RGB, objects: [kustomization({ name: "apps", ready: "True", wait: true })], settings: { progressGraceMs: GRACE, stuckAfterMs: STUCK } });
  t.after(() => rig.stop());
  const server = rig.cluster.server;
  await rig.waitForLed("green");

  await t.test("a routine reconcile within the grace: the LED never leaves green, nothing is logged", async () => {
    const signalsBefore = rig.logs.events("signal").length;
    const watching = rig.sample(GRACE + 500);
    for (const status of successfulRun(server.get(ref)!, "rev-2")) {
      server.updateStatus(ref, status);
      await sleep(150); // Flux's patches come this far apart
    }
    const seen = new Set(await watching);
    assert.deepEqual([...seen], ["green"]);
    assert.equal(rig.logs.events("signal").length, signalsBefore, "no signal transition for a blip");
  });

  await t.test("a reconcile longer than the grace: amber, pulsing, then green again", async () => {
    server.updateStatus(ref, reconcileStarted(server.get(ref)!));
    server.updateStatus(ref, healthCheckRunning(server.get(ref)!, "rev-3"));
    const early = await rig.sample(GRACE * 0.5);
    assert.ok(early.every((c) => c === "green"), `held green inside the grace, saw ${[...new Set(early)]}`);
    await rig.waitForLed("amber", GRACE * 3, 50);
    const pulsing = await rig.sample(1500);
    assert.ok(!pulsing.includes("green") && !pulsing.includes("red"), `only amber while progressing, saw ${[...new Set(pulsing)]}`);
    // johnny-five's pulse animates the duty: not one constant level.
    const duties = new Set<number>();
    for (let i = 0; i < 40; i++) {
      duties.add(rig.uno.pin(9).duty);
      await sleep(25);
    }
    assert.ok(duties.size > 3, "the red channel's duty moves: a pulse, not a solid colour");
    const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "progressing", 1000, "the progressing line");
    assert.deepEqual((line.causes as { name: string; reason: string }[]).map((c) => [c.name, c.reason]), [["apps", "Progressing"]]);
    server.updateStatus(ref, reconcileSucceeded(server.get(ref)!, "rev-3"));
    await rig.waitForLed("green", 3000);
  });

  await t.test("a reconcile longer than the stuck limit: red, reason Stuck", async () => {
    server.updateStatus(ref, reconcileStarted(server.get(ref)!));
    await rig.waitForLed("amber", GRACE * 3, 50);
    await rig.waitForLed("red", STUCK * 2);
    const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 1000, "the stuck line");
    assert.equal((line.causes as { reason: string }[])[0]!.reason, "Stuck");
    assert.match(String(line.msg), /Stuck: progressing for .* over the 4s limit/);
  });
});
