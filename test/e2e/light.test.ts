// Issue "end to end": a Kustomization's status changing on the API server moves the LED on the
// emulated chip, drawn by fluxlight's own firmware over the in-process serial binding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { failedRun, successfulRun } from "../../agent/sim/flux/controller.ts";
import { startInProcess, RGB } from "./harness.ts";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };

test("RGB LED: green → red → green as apps applies, fails to build, and applies again", async (t) => {
  const rig = await startInProcess({ led: RGB, objects: [kustomization({ name: "apps", ready: "True" })], settings: { progressGraceMs: 1000, stuckAfterMs: 60_000 } });
  t.after(() => rig.stop());

  const green = await rig.waitForLed("green");
  assert.equal(green.pins, "9=0% 10=100% 11=0%", "green is pin 10 alone, fully on");

  for (const status of failedRun(rig.cluster.server.get(ref)!, "rev-2", "BuildFailed", "kustomize build failed: no such file")) {
    rig.cluster.server.updateStatus(ref, status);
  }
  const red = await rig.waitForLed("red");
  assert.equal(red.pins, "9=100% 10=0% 11=0%");
  const toFailed = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 2000, "a signal line");
  assert.deepEqual(toFailed.causes, [
    { kind: "Kustomization", namespace: "flux-system", name: "apps", verdict: "failed", reason: "BuildFailed", message: "kustomize build failed: no such file" },
  ]);
  assert.match(String(toFailed.msg), /ok → failed: .*Kustomization flux-system\/apps BuildFailed: kustomize build failed/);

  // The failure changes its reason: one verdict line says so; the light was red and stays red.
  for (const status of failedRun(rig.cluster.server.get(ref)!, "rev-2b", "HealthCheckFailed", "health check failed after 3m0s")) {
    rig.cluster.server.updateStatus(ref, status);
  }
  const changed = await rig.logs.waitFor((l) => l.event === "verdict" && l.reason === "HealthCheckFailed", 3000, "the new reason's line");
  assert.equal(changed.previous, "failed");
  assert.equal(rig.logs.events("signal").filter((l) => l.to === "failed").length, 1, "no second transition to failed");
  assert.equal(rig.led().name, "red");

  for (const status of successfulRun(rig.cluster.server.get(ref)!, "rev-3")) rig.cluster.server.updateStatus(ref, status);
  await rig.waitForLed("green");
  await rig.logs.waitFor((l) => l.event === "signal" && l.from === "failed" && l.to === "ok", 2000, "the recovery line");
  assert.equal(rig.logs.events("signal").filter((l) => l.to === "failed").length, 1, "one transition to failed, logged once");
});

test("a malformed object is logged once and left out; the light goes on", async (t) => {
  const rig = await startInProcess({ led: RGB, objects: [kustomization({ name: "good", ready: "True" })], settings: { progressGraceMs: 1000 } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  // What a broken conversion webhook could hand over: conditions that are not a list.
  const bad = kustomization({ name: "broken", ready: "True" }) as Record<string, unknown>;
  (bad.status as Record<string, unknown>).conditions = { type: "Ready", status: "True" };
  rig.cluster.server.createUnchecked(bad as never);
  const line = await rig.logs.waitFor((l) => l.event === "verdict" && l.name === "broken", 3000, "the unreadable object's line");
  assert.equal(line.verdict, "unknown");
  assert.match(String(line.message), /conditions/);
  // Read it again (a relist after 410 Gone): the same problem is not logged twice.
  rig.cluster.server.dropWatches();
  rig.cluster.server.create(kustomization({ name: "other", ready: "True" }));
  rig.cluster.server.compact();
  await rig.logs.waitFor((l) => l.event === "watch-restart" && l.reason === "Expired" && l.kind === "Kustomization", 5000, "the relist");
  await rig.logs.waitFor((l) => l.event === "listed" && l.kind === "Kustomization" && l !== rig.logs.events("listed").find((x) => x.kind === "Kustomization"), 5000, "the second list");
  assert.equal(rig.logs.lines.filter((l) => l.event === "verdict" && l.name === "broken").length, 1);
  assert.equal(rig.led().name, "green", "the good object still shows");
});
