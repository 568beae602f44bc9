// Issue 10, "the ATmega328P wedges": a hung chip keeps its timers, so PWM holds the last colour
// for ever unless something resets it. fluxlight's firmware runs the AVR watchdog; the agent sees
// the board announce itself again, reconnects and draws what the cluster says now. The real
// `fluxlight run` command in a child process, fluxlight's firmware on the emulated Uno behind a
// socat pty, an RGB LED on 9, 10, 11.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { failedRun, successfulRun } from "../../agent/sim/flux/controller.ts";
import { startCluster, startRunOnPty } from "./harness.ts";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };
const WATCHDOG_BOUND_MS = 2000; // issue 10: a watchdog of 2 s or less

test("the ATmega328P wedges: the watchdog resets it and the agent draws the cluster's colour again", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const { agent, uno, led } = await startRunOnPty(t, cluster, ["--led", "rgb:9,10,11", "--heartbeat-timeout", "2s", "--http", "off", "--progress-grace", "1s"]);
  // Process start through tsx can take tens of seconds on a loaded 2-core machine.
  await agent.logs.waitFor((l) => l.event === "deadman-armed", 45_000, "deadman-armed");
  await led.waitForLed("green", 10_000, 300);
  const server = cluster.server;

  /** Hangs the chip while it shows `showing`; returns the chip's time of the hang and of the watchdog's reset (its pins fall back to inputs). */
  async function hang(kind: "halt" | "spin", showing: string, meanwhile: () => void): Promise<{ at: number; resetAt: number }> {
    const resets = uno.stats.watchdogResets;
    let resetAt: number | undefined;
    const off = uno.onPinChange((c) => { if (c.pin === 10 && c.mode === "input") resetAt ??= c.millis; });
    uno.wedge(kind);
    const at = uno.millis;
    assert.equal(led.led().name, showing, "the hung chip still shows the last colour");
    meanwhile();
    const end = Date.now() + 20_000;
    while (uno.stats.watchdogResets === resets && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    off();
    assert.equal(uno.stats.watchdogResets, resets + 1, "the watchdog reset the chip");
    assert.ok(resetAt !== undefined && resetAt - at <= WATCHDOG_BOUND_MS, `green left ${resetAt! - at} chip-ms after the hang`);
    return { at, resetAt };
  }
  const nth = (event: string, n: number, timeoutMs: number) =>
    agent.logs.waitFor(() => agent.logs.events(event).length >= n, timeoutMs, `${event} #${n}`).then(() => agent.logs.events(event)[n - 1]!);

  await t.test("no instruction runs (timers and PWM go on), and the Kustomization fails meanwhile: red after the reset", async () => {
    const { at } = await hang("halt", "green", () => {
      for (const s of failedRun(server.get(ref)!, "rev-2", "BuildFailed", "kustomize build failed")) server.updateStatus(ref, s);
    });
    const gone = await nth("board-disconnected", 1, 15_000);
    assert.match(String(gone.msg), /reset itself/, "the line says the board reset");
    assert.equal(agent.logs.events("deadman-armed")[0]!.watchdogReset, false, "the first start was a power-on");
    const armed = await nth("deadman-armed", 2, 15_000);
    assert.equal(armed.watchdogReset, true);
    assert.match(String(armed.msg), /watchdog reset it/, "the agent says why the board restarted");
    await led.waitForLed("red", 10_000, 300);
    t.diagnostic(`red ${Math.round(uno.millis - at - 300)} chip-ms (or less) after the hang`);
  });

  await t.test("the main loop spins with interrupts served, and the Kustomization recovers meanwhile: green after the reset", async () => {
    await hang("spin", "red", () => {
      for (const s of successfulRun(server.get(ref)!, "rev-3")) server.updateStatus(ref, s);
    });
    await nth("deadman-armed", 3, 15_000);
    await led.waitForLed("green", 10_000, 300);
    assert.equal(agent.logs.events("board-disconnected").length, 2, "one line per reset");
    assert.equal(uno.stats.watchdogResets, 2, "no reset loop");
    assert.equal(agent.stderr(), "");
  });
});
