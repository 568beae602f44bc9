// Issue 6: the API server restarts. A restart shorter than the grace never moves the LED; a
// longer outage shows `unknown` (blue, blinking) and the light comes back on its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, ks, fail, sleep, since, waitForBlueBlink } from "./rig.ts";

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
    // The failure happened while the agent could not see: the resumed watch brings it.
    fail(rig.server, ks("apps"));
    await rig.server.start();
    await rig.waitForLed("red", 8000);
    await rig.logs.waitFor((l) => l.event === "signal" && l.from === "unknown" && l.to === "failed", 1000, "unknown → failed");
  });
});
