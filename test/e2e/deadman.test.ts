// Issue 3, "what must be shown on the emulated chip": an agent that dies must never leave a green
// light behind. The real `fluxlight run` command in a child process, fluxlight's firmware on the
// emulated Uno behind a socat pty, an RGB LED on 9, 10, 11 and a 2 s dead-man's switch.
//
// The pty carries no DTR, so opening it does not reset the board: as with `--serial` to a board
// whose auto-reset is disabled (or a USB-serial adapter without the DTR line). The board's
// dead-man's switch, not a reset, is what clears the agent's last colour here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { board, startBoardOnPty, startCluster, spawnAgent, RGB, type Board } from "./harness.ts";
import { setTimeout as sleep } from "node:timers/promises";

// A process start through tsx can take tens of seconds on a loaded 2-core machine: the waits for
// the agent to come up are generous; what is measured tightly is on the chip's own clock.
const HEARTBEAT_TIMEOUT_MS = 2000;

/** fluxlight firmware's host lost on RGB (looks.ts HOST_LOST): red and blue pulsing, green dark. */
const hostLost = (v: { rgb: [number, number, number] }) => v.rgb[1] === 0 && v.rgb[0] > 0 && v.rgb[2] > 0;

async function rig(t: { after(fn: () => unknown): void }) {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const { uno, pty } = await startBoardOnPty();
  const children: ReturnType<typeof spawnAgent>[] = [];
  const start = () => {
    const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", pty.path, "--led", "rgb:9,10,11", "--heartbeat-timeout", "2s", "--http", "off", "--progress-grace", "1s"]);
    children.push(agent);
    return agent;
  };
  t.after(async () => {
    for (const c of children) c.child.kill("SIGKILL");
    await pty.close();
    uno.stop();
    await cluster.stop();
  });
  return { cluster, uno, pty, led: board(uno, RGB), start };
}

/** Waits (generously, wall clock) for the first host-lost frame; returns the chip's clock then. */
async function waitForHostLost(led: Board, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = led.led();
    if (hostLost(v)) return led.uno.millis;
    if (Date.now() > end) throw new Error(`no host-lost (magenta) within ${timeoutMs} ms; the LED shows ${v.name} (${v.pins})`);
    await sleep(5);
  }
}

test("the dead-man's switch through the real command", async (t) => {
  const { led, uno, start } = await rig(t);
  const first = start();
  await first.logs.waitFor((l) => l.event === "deadman-armed", 45_000, "deadman-armed");
  await led.waitForLed("green", 10_000, 300);
  assert.equal(first.logs.events("deadman-armed")[0]!.hostLostEpisodes, 0, "a fresh board has never drawn host lost");
  let second: ReturnType<typeof start> | undefined;

  await t.test("SIGKILL: host lost (magenta, pulsing) replaces green within the timeout; a new agent brings green back and says so", async () => {
    first.child.kill("SIGKILL");
    const killedAt = uno.millis;
    // The firmware counts the timeout on its own clock from the agent's last byte, which came before the kill.
    const lostAt = await waitForHostLost(led, 15_000);
    assert.ok(lostAt - killedAt <= HEARTBEAT_TIMEOUT_MS + 1000, `host lost ${Math.round(lostAt - killedAt)} chip-ms after the kill: over the ${HEARTBEAT_TIMEOUT_MS} ms timeout + 1 s`);
    assert.notEqual(await first.exited, 0);

    // While the agent is dead: magenta pulsing (the brightness moves), never green.
    const seen: [number, number, number][] = [];
    for (let i = 0; i < 250; i++) {
      seen.push(led.led().rgb);
      await sleep(10);
    }
    assert.ok(seen.every(([, g]) => g === 0), "green stays dark while the agent is dead");
    assert.ok(seen.every(([r, , b]) => Math.abs(r - b) <= 3), "red and blue move together: magenta");
    assert.ok(new Set(seen.map(([r]) => r)).size > 5, "the brightness changes: a pulse, not a solid colour");

    second = start();
    const armed = await second.logs.waitFor((l) => l.event === "deadman-armed", 45_000, "deadman-armed of the new agent");
    assert.ok((armed.hostLostEpisodes as number) >= 1, `the board says it drew host lost: ${JSON.stringify(armed)}`);
    assert.match(String(armed.msg), /it did so \d+ times? since power-on/);
    await led.waitForLed("green", 10_000, 300);
    await second.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 5000, "the ok line");
  });

  await t.test("a stalled agent (SIGSTOP past the timeout, then SIGCONT): host lost while it stalls, green again after", async () => {
    assert.ok(second, "the agent of the previous step runs");
    second.child.kill("SIGSTOP");
    try {
      await waitForHostLost(led, 15_000);
    } finally {
      second.child.kill("SIGCONT");
    }
    // Its next byte ends host lost and the firmware leaves the LED dark: the agent must draw again.
    await led.waitForLed("green", 5000, 300);
    const line = await second.logs.waitFor((l) => l.event === "host-lost-seen", 5000, "a line saying the board drew host lost");
    assert.match(String(line.msg), /host lost/);
    assert.equal(second.logs.events("board-disconnected").length, 0, "the board never went away");
  });

  await t.test("SIGTERM: exit 0 promptly, the LED dark; host lost follows once the timeout passes", async () => {
    assert.ok(second, "the agent of the previous step runs");
    await led.waitForLed("green", 5000, 300);
    const t0 = Date.now();
    second.child.kill("SIGTERM");
    const code = await second.exited;
    const tookMs = Date.now() - t0;
    assert.equal(code, 0, `exit status 0 on SIGTERM; stderr: ${second.stderr()}`);
    // The promise is 2 s; a loaded 2-core machine gets slack, but not a hang.
    assert.ok(tookMs < 5000, `exited after ${tookMs} ms`);
    const stoppedAt = uno.millis;
    t.diagnostic(`exited ${tookMs} ms after SIGTERM`);
    // Its last bytes may still be crossing the pty: dark within a moment, well before host lost.
    await led.waitForLed("off", 1000, 100);

    const lostAt = await waitForHostLost(led, 15_000);
    assert.ok(lostAt - stoppedAt >= HEARTBEAT_TIMEOUT_MS - 1000, "dark until the timeout, not host lost at once");
    assert.equal(second.stderr(), "");
  });
});
