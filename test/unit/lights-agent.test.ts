// Several lights in one agent (startAgent, the local API server, the agent's clock in the test's
// hand): each light hears only the objects its scope matches, with its own grace; the union of the
// scopes is listed and watched once; the signal lines and the snapshot name the light.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startAgent, type Agent } from "../../agent/agent.ts";
import type { LightSettings } from "../../agent/lights.ts";
import { createLog } from "../../agent/log/logger.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadClusters, loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { kubeconfigYaml } from "../../agent/sim/apiserver/kubeconfig.ts";
import { findKind } from "../../agent/source/kinds.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileFailed, reconcileStarted, reconcileSucceeded } from "../../agent/sim/flux/controller.ts";
import { LogBook, startCluster, type ClusterRig } from "../e2e/harness.ts";
import { ManualClock } from "../helpers/clock.ts";

const GRACE = 20_000;
const KS = findKind("Kustomization")!;
const light = (name: string, pin: number, over: Partial<LightSettings>): LightSettings => ({ name, led: { kind: "single", pin }, namespaces: [], names: [], clusters: [], kinds: [KS], ...over });
const web = { kind: "Kustomization", namespace: "apps", name: "web" };
const core = { kind: "Kustomization", namespace: "infra", name: "core" };

async function start(t: { after(fn: () => Promise<void>): void }, lights: LightSettings[], objects: JsonObject[]) {
  const cluster = await startCluster(objects);
  const clock = new ManualClock();
  const logs = new LogBook();
  const agent = startAgent(
    { lights, serial: "auto", usbIds: [], progressGraceMs: GRACE, stuckAfterMs: 600_000, heartbeatTimeoutMs: 10_000 },
    { cluster: loadKubeConfig({ kubeconfig: cluster.kubeconfig }, {}), access: { open: () => assert.fail("no board"), list: async () => [] }, log: createLog({ level: "info", format: "json", destination: logs.stream() }), clock, onFatal: (m) => assert.fail(m) },
  );
  t.after(async () => {
    await agent.stop();
    await cluster.stop();
  });
  await logs.waitFor((l) => l.event === "signal" && l.to === "ok" && l.light === lights.at(-1)!.name, 10_000, "the last light ok");
  return { cluster, agent, clock, logs };
}

const shows = (agent: Agent) => Object.fromEntries(agent.snapshot().lights.map((l) => [l.name, l.signal]));

/** Writes a status and waits (real time) until the agent has applied its event. */
async function write(cluster: ClusterRig, agent: Agent, ref: typeof web, status: JsonObject): Promise<void> {
  const before = agent.snapshot().events;
  cluster.server.updateStatus(ref, status);
  for (let i = 0; i < 500 && agent.snapshot().events === before; i++) await sleep(10);
  await sleep(20); // the burst is applied at the end of its macrotask
}

test("each light follows its own namespace; a light over both follows both; one list+watch for all three", async (t) => {
  const lights = [light("platform", 13, { namespaces: ["infra"] }), light("apps", 12, { namespaces: ["apps"] }), light("everything", 11, {})];
  const { cluster, agent, clock, logs } = await start(t, lights, [kustomization({ name: "core", namespace: "infra", ready: "True" }), kustomization({ name: "web", namespace: "apps", ready: "True" })]);
  assert.deepEqual(shows(agent), { platform: "ok", apps: "ok", everything: "ok" });
  const watches = () => cluster.server.count({ verb: "watch", kind: "Kustomization" });
  for (let i = 0; i < 500 && watches() === 0; i++) await sleep(10);
  await sleep(100);
  assert.equal(cluster.server.count({ verb: "list", kind: "Kustomization" }), 1, "the union is all namespaces: one list, not three");
  assert.equal(watches(), 1);

  await write(cluster, agent, web, reconcileFailed(cluster.server.get(web)!, "BuildFailed", "kustomize build failed"));
  assert.deepEqual(shows(agent), { platform: "ok", apps: "failed", everything: "failed" });
  const red = logs.events("signal").filter((l) => l.to === "failed");
  assert.deepEqual(red.map((l) => l.light).sort(), ["apps", "everything"]);
  assert.match(String(red[0]!.msg), /^light (apps|everything) ok → failed: 1 of 1 object failed|^light everything ok → failed: 1 of 2 objects failed/);

  // infra reconciles past the grace: progressing on the lights that count it, each on its own timer.
  await write(cluster, agent, core, reconcileStarted(cluster.server.get(core)!));
  clock.advance(GRACE + 1);
  assert.deepEqual(shows(agent), { platform: "progressing", apps: "failed", everything: "failed" }, "failed outranks progressing on the light over both");
  await write(cluster, agent, core, reconcileSucceeded(cluster.server.get(core)!, "rev-2"));
  await write(cluster, agent, web, reconcileSucceeded(cluster.server.get(web)!, "rev-2"));
  assert.deepEqual(shows(agent), { platform: "ok", apps: "ok", everything: "ok" });
});

test("selectors and names are applied in the agent: a label change moves an object between lights", async (t) => {
  const lights = [light("web-team", 13, { selector: "team=web" }), light("db-team", 12, { selector: "team=db" }), light("named", 11, { names: ["apps/we*"] })];
  const objects = [kustomization({ name: "web", namespace: "apps", ready: "True", labels: { team: "web" } }), kustomization({ name: "db", namespace: "apps", ready: "False", reason: "BuildFailed", message: "db broke", labels: { team: "db" } })];
  const { cluster, agent } = await start(t, lights, objects);
  assert.deepEqual(shows(agent), { "web-team": "ok", "db-team": "failed", named: "ok" });
  assert.equal(cluster.server.count({ verb: "list", kind: "Kustomization" }), 1, "different selectors: one list without a selector");

  // db's labels change to the web team's: web-team now counts a failure, db-team has nothing left.
  const before = agent.snapshot().events;
  const db = cluster.server.get({ ...web, name: "db" })!;
  cluster.server.update({ ...db, metadata: { ...(db.metadata as JsonObject), labels: { team: "web" } } });
  for (let i = 0; i < 500 && agent.snapshot().events === before; i++) await sleep(10);
  await sleep(20);
  assert.deepEqual(shows(agent), { "web-team": "failed", "db-team": "unknown", named: "ok" });
});

test("lights over clusters: each light follows the contexts it names; a cluster gone blind greys only the lights that cover it", async (t) => {
  const home = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const away = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const docs = [["home", home], ["away", away]].map(([context, c]) => parse(kubeconfigYaml({ server: (c as ClusterRig).server.url, token: "fluxlight-sim-token", context: context as string })) as Record<string, unknown[]>);
  const path = join(home.dir, "two-contexts.yaml");
  const all = (key: string) => docs.flatMap((d) => d[key]!);
  writeFileSync(path, stringify({ apiVersion: "v1", kind: "Config", clusters: all("clusters"), users: all("users"), contexts: all("contexts"), "current-context": "home" }), { mode: 0o600 });
  const lights = [light("home", 13, { clusters: ["home"] }), light("away", 12, { clusters: ["away"] }), light("both", 11, {})];
  const clock = new ManualClock();
  const logs = new LogBook();
  const agent = startAgent(
    { lights, serial: "auto", usbIds: [], progressGraceMs: GRACE, stuckAfterMs: 600_000, heartbeatTimeoutMs: 10_000 },
    { cluster: loadClusters({ kubeconfig: path, contexts: ["home", "away"] }, {}), access: { open: () => assert.fail("no board"), list: async () => [] }, log: createLog({ level: "info", format: "json", destination: logs.stream() }), clock, onFatal: (m) => assert.fail(m) },
  );
  t.after(async () => {
    await agent.stop();
    await away.stop();
    await home.stop();
  });
  for (const name of ["home", "away", "both"]) await logs.waitFor((l) => l.event === "signal" && l.to === "ok" && l.light === name, 10_000, `${name} ok`);

  const apps = { kind: "Kustomization", namespace: "flux-system", name: "apps" };
  const before = agent.snapshot().events;
  away.server.updateStatus(apps, reconcileFailed(away.server.get(apps)!, "BuildFailed", "kustomize build failed"));
  for (let i = 0; i < 500 && agent.snapshot().events === before; i++) await sleep(10);
  await sleep(20);
  assert.deepEqual(shows(agent), { home: "ok", away: "failed", both: "failed" }, "away's failure is not home's light's");

  // home's API server goes away: past the grace, the lights that cover home cannot say green.
  await home.server.stop();
  await logs.waitFor((l) => l.event === "api-error" && l.cluster === "home", 10_000, "home's outage");
  clock.advance(GRACE + 1);
  assert.deepEqual(shows(agent), { home: "unknown", away: "failed", both: "failed" }, "a known failure in a cluster still seen stays red");
});
