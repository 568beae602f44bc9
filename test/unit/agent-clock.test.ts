// The agent as it runs (startAgent, the local API server) with its clock in the test's hand: the
// grace, the stuck limit and an outage are timed by the agent's own timers on a ManualClock, and
// read where a user reads them — the `signal` log lines. No board: the light is not the point here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startAgent, type Agent } from "../../agent/agent.ts";
import { singleLight } from "../../agent/lights.ts";
import { createLog } from "../../agent/log/logger.ts";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileStarted, reconcileSucceeded } from "../../agent/sim/flux/controller.ts";
import { LogBook, startCluster, PIN13, type ClusterRig } from "../e2e/harness.ts";
import { ManualClock } from "../helpers/clock.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";

const GRACE = 20_000;
const STUCK = 600_000;
const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };

async function start(t: { after(fn: () => Promise<void>): void }): Promise<{ cluster: ClusterRig; agent: Agent; clock: ManualClock; logs: LogBook }> {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const clock = new ManualClock();
  const logs = new LogBook();
  const agent = startAgent(
    { lights: [singleLight({ led: PIN13, namespaces: [] })], serial: "auto", usbIds: [], progressGraceMs: GRACE, stuckAfterMs: STUCK, heartbeatTimeoutMs: 10_000 },
    { cluster: loadKubeConfig({ kubeconfig: cluster.kubeconfig }, {}), access: { open: () => assert.fail("no board"), list: async () => [] }, log: createLog({ level: "info", format: "json", destination: logs.stream() }), clock, onFatal: (m) => assert.fail(m) },
  );
  t.after(async () => {
    await agent.stop();
    await cluster.stop();
  });
  await logs.waitFor((l) => l.event === "signal" && l.to === "ok", 10_000, "ok");
  return { cluster, agent, clock, logs };
}

const signals = (logs: LogBook) => logs.events("signal").map((l) => l.to);

/** Writes a status and waits (real time) until the agent has applied its event. */
async function write(cluster: ClusterRig, agent: Agent, status: JsonObject): Promise<void> {
  const before = agent.snapshot().events;
  cluster.server.updateStatus(ref, status);
  for (let i = 0; i < 500 && agent.snapshot().events === before; i++) await sleep(10);
  await sleep(20); // the burst is applied at the end of its macrotask
}

test("startAgent + a manual clock: a reconcile within the grace never moves the light", async (t) => {
  const { cluster, agent, clock, logs } = await start(t);
  await write(cluster, agent, reconcileStarted(cluster.server.get(ref)!));
  clock.advance(GRACE - 1000);
  assert.equal(agent.signal, "ok");
  await write(cluster, agent, reconcileSucceeded(cluster.server.get(ref)!, "rev-2"));
  clock.advance(GRACE * 3);
  assert.deepEqual(signals(logs), ["starting", "ok"]);
});

test("startAgent + a manual clock: progressing exactly when the grace runs out, failed (Stuck) at the limit", async (t) => {
  const { cluster, agent, clock, logs } = await start(t);
  await write(cluster, agent, reconcileStarted(cluster.server.get(ref)!));
  clock.advance(GRACE - 1);
  assert.equal(agent.signal, "ok", "one ms before the grace ends");
  clock.advance(2); // the agent's own timer fires
  assert.equal(agent.signal, "progressing");
  clock.advance(STUCK - GRACE);
  assert.equal(agent.signal, "failed");
  assert.equal((logs.events("signal").at(-1)!.causes as { reason: string }[])[0]!.reason, "Stuck");
  assert.deepEqual(signals(logs), ["starting", "ok", "progressing", "failed"]);
});

test("startAgent + a manual clock: an API outage shows unknown after the grace, not before", async (t) => {
  const { cluster, agent, clock, logs } = await start(t);
  await cluster.server.stop();
  await logs.waitFor((l) => l.event === "api-error", 10_000, "the outage");
  clock.advance(GRACE - 1000);
  assert.equal(agent.signal, "ok", "a short outage is held");
  clock.advance(1000 + 1);
  assert.equal(agent.signal, "unknown");
  assert.match(String(logs.events("signal").at(-1)!.summary), /^API unreachable for 20(\.\d+)?s: /);
});
