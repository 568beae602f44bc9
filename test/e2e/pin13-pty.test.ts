// The Uno's own LED on pin 13, no wiring at all, driven by the real `fluxlight run` command
// through serialport's native binding on a socat pseudo-terminal: off → on → off as a
// Kustomization fails and recovers on the API server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { failedRun, successfulRun } from "../../agent/sim/flux/controller.ts";
import { startCluster, startRunOnPty } from "./harness.ts";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "main" };

test("pin 13 through a real pty: off → on → off", async (t) => {
  const cluster = await startCluster([kustomization({ name: "main", ready: "True" })]);
  // No --led: the command's default, the Uno's own LED on pin 13.
  const { agent, led } = await startRunOnPty(t, cluster, ["--http", "off", "--progress-grace", "1s"]);

  // Generous: starting the command through tsx on a loaded 2-core machine can take many seconds.
  await agent.logs.waitFor((l) => l.event === "board-connected", 45_000, "board-connected");
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 10_000, "the ok line");
  await led.waitForLed("off", 5000, 500);

  for (const s of failedRun(cluster.server.get(ref)!, "rev-2", "HealthCheckFailed", "health check failed after 3m0s: timeout waiting for: [Deployment/apps/web status: 'InProgress']")) cluster.server.updateStatus(ref, s);
  await led.waitForLed("on", 5000, 300);
  const line = await agent.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 2000, "the failed line");
  assert.equal((line.causes as { reason: string }[])[0]!.reason, "HealthCheckFailed");

  for (const s of successfulRun(cluster.server.get(ref)!, "rev-3")) cluster.server.updateStatus(ref, s);
  await led.waitForLed("off", 5000, 500);
  assert.equal(agent.child.exitCode, null, "the agent is still running");
  assert.equal(agent.stderr(), "", "nothing on stderr");
});
