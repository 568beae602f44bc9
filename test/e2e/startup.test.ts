// Issue 10, row 4: start-up tells no story it has not seen. An agent that starts while a
// Kustomization is mid-reconcile (Ready=Unknown) holds `starting` until it settles or spends its
// grace — not green at once — and an object already failed at start shows red at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { successfulRun } from "../../agent/sim/flux/controller.ts";
import { startCluster, startRunOnPty } from "./harness.ts";
import { startFaultRig } from "../faults/rig.ts";

const mid = (name: string) => kustomization({ name, ready: "Unknown", reason: "Progressing", message: "Reconciliation in progress", now: new Date() });

test("fluxlight run, one Kustomization mid-reconcile at start: starting (never green) until it is ready", async (t) => {
  const cluster = await startCluster([kustomization({ name: "infra", ready: "True" }), mid("apps")]);
  // A grace longer than the command takes to start here, so that the spell is still in it.
  const { agent, led } = await startRunOnPty(t, cluster, ["--led", "rgb:9,10,11", "--kinds", "Kustomization", "--http", "off", "--progress-grace", "2m", "--stuck-after", "10m"]);
  await agent.logs.waitFor((l) => l.event === "board-connected", 45_000, "board-connected");
  await agent.logs.waitFor((l) => l.event === "listed", 10_000, "the list");
  const seen = await led.sample(2000);
  assert.ok(!seen.includes("green"), `not green while apps has not settled: ${[...new Set(seen)]}`);
  assert.deepEqual(agent.logs.events("signal").map((l) => l.to), ["starting"]);
  assert.match(String(agent.logs.events("signal")[0]!.summary), /waiting for the first complete list|seen at start still settling/);

  const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };
  for (const status of successfulRun(cluster.server.get(ref)!, "rev-2")) cluster.server.updateStatus(ref, status);
  await led.waitForLed("green", 10_000, 300);
  assert.deepEqual(agent.logs.events("signal").map((l) => l.to), ["starting", "ok"]);
});

test("an object already failed at start shows red at once, whatever else is mid-reconcile", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "broken", ready: "False", reason: "BuildFailed", message: "kustomize build failed" }), mid("apps")], settings: { progressGraceMs: 60_000 } });
  t.after(() => rig.stop());
  await rig.waitForLed("red", 15_000, 300);
  assert.deepEqual(rig.logs.events("signal").map((l) => l.to), ["starting", "failed"]);
});

test("a start-up object that spends its grace shows what it is (progressing), not starting for ever", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "infra", ready: "True" }), mid("apps")] });
  t.after(() => rig.stop());
  await rig.logs.waitFor((l) => l.event === "signal" && l.to === "progressing", 15_000, "the progressing line");
  const signals = rig.logs.events("signal").map((l) => l.to);
  assert.deepEqual(signals, ["starting", "progressing"], "never ok on the way");
  await rig.waitForLed("amber", 5000, 0); // progressing pulses amber
});
