// `kubectl logs` is how users read the agent: the start-up line carries the effective
// configuration (and no secrets); --log-format pretty is for a person at a terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startCluster, spawnAgent } from "./harness.ts";

test("the start-up line states the effective configuration, without the token", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const token = "s3cr3t-service-account-token";
  cluster.server.setToken(token);
  cluster.server.writeKubeconfig(cluster.kubeconfig);
  const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", "/dev/fluxlight-test-absent", "--http", "off", "--led", "rgb-anode:3,5,6", "--namespace", "flux-system"], {
    FLUXLIGHT_STUCK_AFTER: "15m",
  });
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await cluster.stop();
  });
  const start = await agent.logs.waitFor((l) => l.event === "start", 45_000, "the start line");
  assert.equal(start.cluster, cluster.server.url);
  assert.equal(start.led, "rgb-anode:3,5,6");
  assert.equal(start.stuckAfter, "15m", "the environment twin is in force");
  assert.equal(start.progressGrace, "20s");
  assert.deepEqual(start.namespaces, ["flux-system"]);
  assert.equal(start.serial, "/dev/fluxlight-test-absent");
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 10_000, "the ok line, with no board");
  const everything = agent.logs.lines.map((l) => JSON.stringify(l)).join("\n");
  assert.ok(!everything.includes(token), "no token in the logs");
  for (const line of agent.logs.lines) assert.equal(typeof line.event, "string", `every line names its event: ${JSON.stringify(line)}`);
});

test("--log-format pretty writes lines for a person, not JSON", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", "/dev/fluxlight-test-absent", "--http", "off", "--log-format", "pretty"]);
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await cluster.stop();
  });
  const line = await agent.logs.waitFor((l) => typeof l.raw === "string" && /light starting → ok/.test(l.raw as string), 45_000, "a pretty signal line");
  assert.match(String(line.raw), /INFO/);
  assert.equal(agent.logs.lines.filter((l) => !("raw" in l)).length, 0, "no JSON lines");
});
