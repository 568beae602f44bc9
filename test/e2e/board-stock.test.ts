// Issue 3: the same agent drives a board running stock StandardFirmata (no dead-man's switch):
// the LED follows the cluster, and the agent says once — not on every reconnect — that a dead
// agent cannot be shown on this firmware.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { failedRun, successfulRun } from "../../agent/sim/flux/controller.ts";
import { startInProcess, RGB, PIN13, STANDARD_FIRMATA, type InProcessRig } from "./harness.ts";
import { setTimeout as sleep } from "node:timers/promises";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };

function fail(rig: InProcessRig) {
  for (const s of failedRun(rig.cluster.server.get(ref)!, "rev-2", "BuildFailed", "kustomize build failed")) rig.cluster.server.updateStatus(ref, s);
}
function recover(rig: InProcessRig) {
  for (const s of successfulRun(rig.cluster.server.get(ref)!, "rev-3")) rig.cluster.server.updateStatus(ref, s);
}

test("StandardFirmata, RGB 9,10,11: green → red → green; no-deadman said once, even across a reconnect", async (t) => {
  const rig = await startInProcess({ firmware: STANDARD_FIRMATA, led: RGB, objects: [kustomization({ name: "apps", ready: "True" })], settings: { progressGraceMs: 1000 } });
  t.after(() => rig.stop());
  const connected = await rig.logs.waitFor((l) => l.event === "board-connected", 20_000, "board-connected");
  assert.equal(connected.firmware, "StandardFirmata.ino");
  await rig.waitForLed("green", 5000);
  const said = await rig.logs.waitFor((l) => l.event === "no-deadman", 2000, "no-deadman");
  assert.match(String(said.msg), /flash fluxlight's firmware/);

  fail(rig);
  await rig.waitForLed("red", 5000);
  recover(rig);
  await rig.waitForLed("green", 5000);

  rig.device.unplug();
  await rig.logs.waitFor((l) => l.event === "board-disconnected", 5000, "board-disconnected");
  await sleep(500);
  rig.device.plug();
  await rig.logs.waitFor(() => rig.logs.events("board-connected").length >= 2, 20_000, "the reconnect");
  await rig.waitForLed("green", 3000);
  assert.equal(rig.logs.events("no-deadman").length, 1, "said once");
  assert.equal(rig.logs.events("deadman-armed").length, 0);
});

test("StandardFirmata, the Uno's own LED on pin 13: off → on → off", async (t) => {
  const rig = await startInProcess({ firmware: STANDARD_FIRMATA, led: PIN13, objects: [kustomization({ name: "apps", ready: "True" })], settings: { progressGraceMs: 1000 } });
  t.after(() => rig.stop());
  await rig.logs.waitFor((l) => l.event === "board-connected", 20_000, "board-connected");
  await rig.waitForLed("off", 5000, 500);
  fail(rig);
  await rig.waitForLed("on", 5000, 500);
  recover(rig);
  await rig.waitForLed("off", 5000, 500);
  assert.equal(rig.logs.events("no-deadman").length, 1);
});
