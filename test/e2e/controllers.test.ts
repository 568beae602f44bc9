// Issue 10, rows 2 and 3 of "the light never lies": a silent API server (a partition: no bytes,
// no FIN, no RST) and a dead Flux controller (every object still Ready=True). The real
// `fluxlight run` command in a child process, fluxlight's firmware on the emulated Uno behind a
// socat pty, an RGB LED on 9, 10, 11. The simulated Flux renews its leader-election Leases and
// has Deployments (agent/sim/flux/runtime.ts). Timings are shortened through flags and the
// Lease's own leaseDurationSeconds; the default-flag timings are the benchmark's (test/bench).
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileFailed } from "../../agent/sim/flux/controller.ts";
import { FluxRuntime } from "../../agent/sim/flux/runtime.ts";
import { startCluster, startRunOnPty } from "./harness.ts";

const GRACE = "2s";

async function rig(t: { after(fn: () => unknown): void }, o: { leaseSeconds?: number; renewMs?: number } = {}) {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" }), kustomization({ name: "infra", ready: "True" })]);
  const flux = new FluxRuntime(cluster.server, { renewEveryMs: o.renewMs ?? 300, leaseDurationSeconds: o.leaseSeconds ?? 2 }).start();
  const { agent, led } = await startRunOnPty(t, cluster, ["--led", "rgb:9,10,11", "--http", "off", "--progress-grace", GRACE, "--api-probe-interval", "1s", "--log-level", "debug"], { alsoStop: () => flux.stop() });
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 60_000, "the first green");
  await agent.logs.waitFor((l) => l.event === "deadman-armed", 30_000, "deadman-armed");
  await led.waitForLed("green", 10_000, 300);
  return { cluster, flux, agent, led, server: cluster.server };
}

test("the API server goes silent while a Kustomization fails: unknown (blue) after the grace, never green; the failure shows once it answers again", { timeout: 180_000 }, async (t) => {
  const { server, agent, led } = await rig(t);
  const mark = agent.logs.lines.length;
  server.silence();
  const silentAt = Date.now();
  // Meanwhile Flux writes a failure the agent cannot hear.
  const apps = server.get({ kind: "Kustomization", name: "apps" })!;
  server.updateStatus({ kind: "Kustomization", name: "apps" }, reconcileFailed(apps, "BuildFailed", "kustomize build failed: accumulating resources"));

  const silent = await agent.logs.waitFor((l) => l.event === "api-silent", 30_000, "api-silent");
  assert.match(String(silent.msg), /127\.0\.0\.1:\d+/, `names the server: ${silent.msg}`);
  const line = await agent.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 30_000, "the unknown line");
  assert.match(String(line.msg), /unreachable.*no answer from 127\.0\.0\.1:\d+/, `says which server did not answer: ${line.msg}`);
  await led.waitForLed("blue", 5000, 100);
  t.diagnostic(`unknown ${Date.now() - silentAt} ms after the partition (probe 1 s, grace ${GRACE})`);
  const seen = new Set(await led.sample(3000));
  assert.deepEqual([...seen].filter((c) => c !== "blue" && c !== "off"), [], `blue blinking, never green, while silent: ${[...seen]}`);

  server.heal();
  await agent.logs.waitFor((l) => l.event === "api-recovered", 15_000, "api-recovered");
  await led.waitForLed("red", 15_000, 300);
  const failed = await agent.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 1000, "the failed line");
  assert.match(String(failed.msg), /apps BuildFailed/);
  // Unknown straight to failed: every scope listed again after the partition, so the held
  // stream's old view was never called the truth (not even for a moment's green).
  const after = agent.logs.lines.slice(mark).filter((l) => l.event === "signal").map((l) => l.to);
  assert.deepEqual(after, ["unknown", "failed"], `signals since the partition: ${after}`);
});

test("a partition longer than a lease plus the grace: unknown, then straight back to green (renewals it could not see are no death)", { timeout: 180_000 }, async (t) => {
  const { server, agent, led } = await rig(t);
  server.silence();
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 30_000, "the unknown line");
  await new Promise((r) => setTimeout(r, 5000)); // lease 2 s + grace 2 s, and more
  const mark = agent.logs.lines.length;
  server.heal();
  await agent.logs.waitFor((l) => l.event === "api-recovered", 15_000, "api-recovered");
  await led.waitForLed("green", 15_000, 1000);
  const after = agent.logs.lines.slice(mark);
  assert.deepEqual(after.filter((l) => l.event === "signal").map((l) => l.to), ["ok"], "unknown → ok, nothing between");
  assert.equal(agent.logs.events("controller-down").length, 0, "no controller was called dead");
});

test("kustomize-controller dies with every object Ready=True: failed (red) with the cause in the log; running again brings green back", { timeout: 180_000 }, async (t) => {
  const { flux, agent, led } = await rig(t);
  flux.kill("kustomize-controller");
  const killedAt = Date.now();
  const down = await agent.logs.waitFor((l) => l.event === "controller-down", 20_000, "controller-down");
  assert.match(String(down.msg), /kustomize-controller is not running: .*Deployment 0\/1 available/);
  await led.waitForLed("red", 20_000, 300);
  t.diagnostic(`red ${Date.now() - killedAt} ms after the kill (lease 2 s, grace ${GRACE})`);
  const line = agent.logs.events("signal").find((l) => l.to === "failed")!;
  assert.match(String(line.msg), /kustomize-controller not running: Deployment flux-system\/kustomize-controller ControllerNotRunning: kustomize-controller is not running: lease flux-system\/kustomize-controller-leader-election last renewed \d+s ago \(lasts 2s\); Deployment 0\/1 available/);

  flux.revive("kustomize-controller");
  await agent.logs.waitFor((l) => l.event === "controller-running", 20_000, "controller-running");
  await led.waitForLed("green", 10_000, 300);
});

test("a lease that stops being renewed alone (the Deployment still says available: a hung leader) also turns the light red", { timeout: 180_000 }, async (t) => {
  const { flux, agent, led } = await rig(t);
  flux.kill("kustomize-controller", { deployment: false });
  const down = await agent.logs.waitFor((l) => l.event === "controller-down", 20_000, "controller-down");
  assert.match(String(down.msg), /lease flux-system\/kustomize-controller-leader-election last renewed \d+s ago \(lasts 2s\); Deployment 1\/1 available/);
  await led.waitForLed("red", 20_000, 300);
});

test("leases renewing every 300 ms: no redraw, no log line, the light stays green", { timeout: 180_000 }, async (t) => {
  const { server, agent, led } = await rig(t);
  const linesBefore = agent.logs.lines.filter((l) => l.level !== 20).length; // debug lines aside
  const signalsBefore = agent.logs.events("signal").length;
  const renewalsBefore = leaseWrites(server);
  const seen = new Set(await led.sample(5000));
  const renewals = leaseWrites(server) - renewalsBefore;
  assert.ok(renewals >= 30, `the simulated Flux renewed its leases (${renewals} writes)`);
  assert.deepEqual([...seen], ["green"], "green the whole time");
  const after = agent.logs.lines.filter((l) => l.level !== 20);
  assert.equal(after.length, linesBefore, `no log line above debug: ${JSON.stringify(after.slice(linesBefore))}`);
  assert.equal(agent.logs.events("signal").length, signalsBefore, "no signal line");
});

/** resourceVersions advance once per write: the Lease renewals are the only writes here. */
function leaseWrites(server: { resourceVersion: string }): number {
  return Number(server.resourceVersion);
}


test("leases and deployments forbidden (403): one line with the Role rule that fixes it; the light follows the objects alone", { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  cluster.server.forbid({ resource: "leases" });
  cluster.server.forbid({ resource: "deployments" });
  const flux = new FluxRuntime(cluster.server, { renewEveryMs: 300, leaseDurationSeconds: 2 }).start();
  const { agent, led } = await startRunOnPty(t, cluster, ["--led", "rgb:9,10,11", "--http", "off", "--progress-grace", GRACE, "--api-probe-interval", "1s"], { alsoStop: () => flux.stop() });
  const line = await agent.logs.waitFor((l) => l.event === "controllers-forbidden", 60_000, "controllers-forbidden");
  assert.equal(line.fix, 'a Role in namespace flux-system with the rules {apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "watch"]} and {apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["list", "watch"]}, bound to fluxlight\'s service account');
  assert.match(String(line.msg), /403.*leases|deployments/);
  await led.waitForLed("green", 30_000, 300);
  // A controller dying now cannot be seen: the light follows the objects, and says so only once.
  flux.kill("kustomize-controller");
  const seen = new Set(await led.sample(5000));
  assert.deepEqual([...seen], ["green"]);
  assert.equal(agent.logs.events("controllers-forbidden").length, 1, "logged once");
});
