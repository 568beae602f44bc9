// Issue 15, item 1: two LEDs from one lights file (`fluxlight run --config`), the real command on
// fluxlight's firmware on the emulated Uno behind a socat pty. Each light follows only its own
// namespace — read off the chip's pins — and when the agent dies the firmware draws host lost on
// both: the dead-man's switch covers every configured pin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileFailed, reconcileSucceeded } from "../../agent/sim/flux/controller.ts";
import type { LedSpec } from "../../agent/light/led-spec.ts";
import { board, RGB, startCluster, startRunOnPty } from "./harness.ts";

const TRAFFIC: LedSpec = { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } };
const web = { kind: "Kustomization", namespace: "apps", name: "web" };
const LIGHTS = `
lights:
  - name: platform
    led: rgb:9,10,11
    namespaces: [infra]
  - name: apps
    led: traffic:2,3,4
    namespaces: [apps]
`;

test("two lights from one file: a failure in apps turns only the apps light red; host lost on both", async (t) => {
  const cluster = await startCluster([kustomization({ name: "core", namespace: "infra", ready: "True" }), kustomization({ name: "web", namespace: "apps", ready: "True" })]);
  const config = join(cluster.dir, "lights.yaml");
  writeFileSync(config, LIGHTS);
  const { agent, uno } = await startRunOnPty(t, cluster, ["--config", config, "--heartbeat-timeout", "2s", "--http", "off", "--progress-grace", "1s"]);
  const platform = board(uno, RGB);
  const apps = board(uno, TRAFFIC);

  // Generous: starting the command through tsx on a loaded 2-core machine can take many seconds.
  const armed = await agent.logs.waitFor((l) => l.event === "deadman-armed", 45_000, "deadman-armed");
  assert.equal(armed.heartbeatTimeoutMs, 2000);
  await platform.waitForLed("green", 10_000, 500);
  await apps.waitForLed("green", 5000, 500);
  const start = agent.logs.events("start")[0]!;
  assert.deepEqual((start.lights as { name: string }[]).map((l) => l.name), ["platform", "apps"], "the start line names each light");

  await t.test("a failure in apps: the apps light red, the platform light green throughout", async () => {
    cluster.server.updateStatus(web, reconcileFailed(cluster.server.get(web)!, "BuildFailed", "kustomize build failed"));
    const line = await agent.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 10_000, "the failed line");
    assert.equal(line.light, "apps");
    assert.match(String(line.msg), /^light apps ok → failed: 1 of 1 object failed: Kustomization apps\/web BuildFailed/);
    await apps.waitForLed("red", 5000, 500);
    const seen = await platform.sample(1500);
    assert.deepEqual([...new Set(seen)], ["green"], "platform's light does not count apps");
    assert.deepEqual(agent.logs.events("signal").filter((l) => l.light === "platform").map((l) => l.to), ["starting", "ok"]);
  });

  await t.test("apps recovers: green again", async () => {
    cluster.server.updateStatus(web, reconcileSucceeded(cluster.server.get(web)!, "rev-2"));
    await apps.waitForLed("green", 10_000, 500);
    assert.equal(platform.led().name, "green");
  });

  await t.test("the agent killed: the firmware draws host lost on both LEDs, never green", async () => {
    agent.child.kill("SIGKILL");
    await agent.exited;
    const killedAt = uno.millis;
    while (uno.millis < killedAt + 2500) await new Promise((r) => setTimeout(r, 20));
    const rgb: [number, number, number][] = [];
    const traffic: string[] = [];
    while (uno.millis < killedAt + 6500) {
      rgb.push(platform.led().rgb);
      traffic.push(apps.led().name);
      await new Promise((r) => setTimeout(r, 10));
    }
    // RGB: magenta pulsing (red and blue together, green dark); traffic: red and yellow blinking together.
    assert.ok(rgb.every(([, g]) => g === 0), "platform: never green");
    assert.ok(rgb.some(([r, , b]) => r > 100 && b > 100), `platform: magenta (${JSON.stringify(rgb.slice(0, 5))}…)`);
    assert.ok(traffic.includes("red+yellow") && traffic.includes("off"), `apps: red and yellow blinking together (${[...new Set(traffic)]})`);
    assert.ok(!traffic.some((s) => s.includes("green")), "apps: never green");
  });
});
