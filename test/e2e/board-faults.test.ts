// Issue 3: a board that misbehaves — resets by itself, never answers the handshake, or puts noise
// on the line. The agent says what happened, keeps trying, never crashes, and the LED ends right.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { failedRun, successfulRun } from "../../agent/sim/flux/controller.ts";
import type { SerialAccess } from "../../agent/link/ports.ts";
import { startInProcess } from "./harness.ts";
import { setTimeout as sleep } from "node:timers/promises";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };

test("the board resets mid-run: a line says so, the link reconnects and redraws", async (t) => {
  const rig = await startInProcess({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  await rig.logs.waitFor((l) => l.event === "deadman-armed", 3000, "deadman-armed");

  rig.uno.reset();
  const line = await rig.logs.waitFor((l) => l.event === "board-disconnected", 5000, "the reset line");
  assert.match(String(line.msg), /reset/, `the line names the reset: ${line.msg}`);
  await rig.logs.waitFor(() => rig.logs.events("board-connected").length >= 2, 15_000, "the reconnect");
  await rig.waitForLed("green", 3000);
  assert.equal(rig.logs.events("board-disconnected").length, 1, "one reset, one line (the reconnect's own reset is not another)");
});

test("a board that never answers the handshake: a line naming the path and the fix, retries, then it connects", async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const opens: number[] = [];
  const rig = await startInProcess({
    objects: [kustomization({ name: "apps", ready: "True" })],
    // Hold the link back until the chip is halted, so that its first open meets a silent board.
    access: (inner): SerialAccess => ({
      list: async () => (await gate, inner.list()),
      open: (path) => (opens.push(Date.now()), inner.open(path)),
    }),
  });
  t.after(() => rig.stop());
  rig.uno.stop();
  release();

  const failed = await rig.logs.waitFor((l) => l.event === "board-handshake-failed", 20_000, "board-handshake-failed");
  assert.equal(failed.path, "/dev/ttyACM0");
  assert.match(String(failed.msg), /\/dev\/ttyACM0/, "names the path");
  assert.match(String(failed.msg), /Firmata.*flashed|flash/i, "names the fix");
  // It tries again (after a backoff), and does not give up or crash.
  await rig.logs.waitFor(() => opens.length >= 2, 5000, "a second attempt");
  assert.ok(opens[1]! - opens[0]! >= 200, "the retry waits a while");
  assert.equal(rig.led().name, "off");

  rig.uno.start();
  await rig.logs.waitFor((l) => l.event === "board-connected", 20_000, "board-connected once the board runs");
  await rig.waitForLed("green", 3000);
});

/** xorshift32: the same noise on every run. */
function noise(seed: number) {
  let x = seed;
  return (n: number) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

test("random bytes on the line from the board: no crash, and the LED follows the cluster", async (t) => {
  const bytes = noise(0x5eed);
  let injected = 0;
  let on = false;
  const rig = await startInProcess({
    objects: [kustomization({ name: "apps", ready: "True" })],
    settings: { progressGraceMs: 1000 },
    // Noise arrives on the line every 20 ms, between (and so inside) the board's own messages.
    access: (inner): SerialAccess => ({
      list: () => inner.list(),
      open(path) {
        const port = inner.open(path) as unknown as Duplex & { isOpen: boolean };
        const timer = setInterval(() => {
          if (!on || !port.isOpen) return;
          const junk = bytes(1 + (injected % 7));
          injected += junk.length;
          port.push(junk);
        }, 20);
        port.once("close", () => clearInterval(timer));
        return port as never;
      },
    }),
  });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  on = true;
  const server = rig.cluster.server;
  for (const s of failedRun(server.get(ref)!, "rev-2", "BuildFailed", "kustomize build failed")) server.updateStatus(ref, s);
  await rig.waitForLed("red", 10_000, 300);
  await sleep(6000); // a version probe or more, answered through the noise
  for (const s of successfulRun(server.get(ref)!, "rev-3")) server.updateStatus(ref, s);
  await rig.waitForLed("green", 15_000, 500);
  assert.ok(injected > 100, `noise went in (${injected} bytes)`);
  // Whatever the noise did, anything the link said is a sentence, and the link is up.
  for (const l of rig.logs.lines.filter((l) => l.part === "link" && (l.level as number) >= 40)) assert.ok(typeof l.msg === "string" && l.msg.length > 10, JSON.stringify(l));
  assert.equal(rig.agent.snapshot().board.state, "connected");
});
