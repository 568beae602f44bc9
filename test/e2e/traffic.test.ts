// Issue 15, item 3: a traffic-light module (`--led traffic:2,3,4`: red, yellow, green, three plain
// LEDs) under the real `fluxlight run` command, fluxlight's firmware on the emulated Uno behind a
// socat pty. Each signal is read off the chip's pins: starting, ok, progressing, failed, unknown,
// and host lost — drawn by the firmware after the agent is killed. Green is lit for ok only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { join } from "node:path";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { healthCheckRunning, reconcileFailed, reconcileStarted } from "../../agent/sim/flux/controller.ts";
import { startCluster, startRunOnPty } from "./harness.ts";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };

/**
 * A TCP relay in front of the API server that holds every connection until `release()`: the
 * agent's first list hangs, so the light stays `starting` for as long as the test looks.
 */
async function heldRelay(upstreamPort: number) {
  let held = true;
  const waiting: Socket[] = [];
  const relay = (client: Socket) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (held) waiting.push(client);
    else relay(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    release() {
      held = false;
      for (const c of waiting.splice(0)) relay(c);
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

test("a traffic-light module shows every signal, and the firmware draws host lost", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const relay = await heldRelay(Number(new URL(cluster.server.url).port));
  const kubeconfig = join(cluster.dir, "via-relay");
  cluster.server.writeKubeconfig(kubeconfig, { server: `http://127.0.0.1:${relay.port}` });
  const { agent, uno, led } = await startRunOnPty(t, cluster, ["--led", "traffic:2,3,4", "--heartbeat-timeout", "2s", "--http", "off", "--progress-grace", "1s"], { kubeconfig, alsoStop: () => relay.close() });
  const noGreen = (seen: string[], what: string) => assert.ok(!seen.some((s) => s.includes("green")), `${what}: never green (${[...new Set(seen)]})`);

  // Generous: starting the command through tsx on a loaded 2-core machine can take many seconds.
  await agent.logs.waitFor((l) => l.event === "deadman-armed", 45_000, "deadman-armed");

  await t.test("starting: red and yellow flicker together", async () => {
    const seen = await led.sample(2000);
    assert.ok(seen.includes("red+yellow") && seen.includes("off"), `flickering red+yellow: ${[...new Set(seen)]}`);
    noGreen(seen, "starting");
    assert.deepEqual(agent.logs.events("signal").map((l) => l.to), ["starting"], "no verdict yet: the first list is held");
  });

  await t.test("ok: green, steady", async () => {
    relay.release();
    await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 10_000, "the ok line");
    await led.waitForLed("green", 5000, 1500);
  });

  await t.test("progressing: yellow blinking, nothing else", async () => {
    cluster.server.updateStatus(ref, reconcileStarted(cluster.server.get(ref)!));
    cluster.server.updateStatus(ref, healthCheckRunning(cluster.server.get(ref)!, "rev-2"));
    await agent.logs.waitFor((l) => l.event === "signal" && l.to === "progressing", 10_000, "the progressing line");
    await led.waitForLed("yellow", 5000, 50); // the line is written before the lamps are
    const seen = await led.sample(2000);
    assert.ok(seen.includes("yellow") && seen.includes("off"), `blinking yellow: ${[...new Set(seen)]}`);
    assert.deepEqual([...new Set(seen)].sort(), ["off", "yellow"]);
  });

  await t.test("failed: red, steady", async () => {
    cluster.server.updateStatus(ref, reconcileFailed(cluster.server.get(ref)!, "HealthCheckFailed", "health check failed after 3m0s"));
    await agent.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 10_000, "the failed line");
    await led.waitForLed("red", 5000, 1500);
  });

  await t.test("unknown (the API server gone): red and yellow take turns, never both, never green", async () => {
    await cluster.server.stop();
    await agent.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 15_000, "the unknown line");
    await led.waitForLed("yellow", 5000, 50); // red is failed's too: yellow is unknown's first turn
    const seen = await led.sample(3000);
    assert.ok(seen.includes("red") && seen.includes("yellow"), `red and yellow in turn: ${[...new Set(seen)]}`);
    assert.ok(!seen.includes("red+yellow"), "one lamp at a time");
    noGreen(seen, "unknown");
  });

  await t.test("host lost (agent killed): the firmware blinks red and yellow together, a second at a time, never green", async () => {
    agent.child.kill("SIGKILL");
    await agent.exited;
    // Wait out the 2 s timeout on the chip's clock, then watch two full periods.
    const killedAt = uno.millis;
    while (uno.millis < killedAt + 2500) await new Promise((r) => setTimeout(r, 20));
    const frames: { name: string; at: number }[] = [];
    while (uno.millis < killedAt + 7000) {
      frames.push({ name: led.led().name, at: uno.millis });
      await new Promise((r) => setTimeout(r, 10));
    }
    const seen = frames.map((f) => f.name);
    assert.ok(seen.includes("red+yellow") && seen.includes("off"), `blinking red+yellow: ${[...new Set(seen)]}`);
    noGreen(seen, "host lost");
    // Lit a whole second at a time (chip clock): slow, unlike starting's 150 ms flicker.
    let longest = 0;
    let since: number | undefined;
    for (const f of frames) {
      if (f.name === "red+yellow") longest = Math.max(longest, f.at - (since ??= f.at));
      else since = undefined;
    }
    assert.ok(longest >= 800, `red+yellow lit for ${Math.round(longest)} chip-ms at a stretch`);
  });
});
