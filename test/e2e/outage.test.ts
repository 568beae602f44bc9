// Issue 3: the API server is gone for a minute. After the grace the LED reads unknown (blue,
// blinking) and never green; within seconds of the server's return it tells the truth again.
// This one takes over a minute by design.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startInProcess } from "./harness.ts";

const GRACE = 2000;
const OUTAGE = 60_000;

test("API server down for 60 s: unknown after the grace, never green; green again within 5 s of its return", { timeout: 150_000 }, async (t) => {
  const rig = await startInProcess({ objects: [kustomization({ name: "apps", ready: "True" })], settings: { progressGraceMs: GRACE } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const server = rig.cluster.server;

  await server.stop();
  const downAt = Date.now();
  const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", GRACE + 10_000, "the unknown line");
  assert.ok(Date.now() - downAt >= GRACE - 100, "not before the grace");
  assert.match(String(line.msg), /unreachable|ECONNREFUSED|API/i, `says why: ${line.msg}`);
  await rig.waitForLed("blue", 5000, 100);

  // The rest of the minute: blue blinking, never green.
  const seen = new Set<string>();
  while (Date.now() - downAt < OUTAGE) for (const c of await rig.sample(1000)) seen.add(c);
  assert.ok(seen.has("blue") && seen.has("off"), `blue, blinking: ${[...seen]}`);
  assert.deepEqual([...seen].filter((c) => c !== "blue" && c !== "off"), [], "nothing but blue and off while the API server is down");

  await server.start();
  const upAt = Date.now();
  // The retry backoff is capped at 5 s; allow a little for the list, the watch and the chip.
  await rig.waitForLed("green", 6500, 0);
  const tookMs = Date.now() - upAt;
  t.diagnostic(`green ${tookMs} ms after the API server came back`);
  await rig.logs.waitFor((l) => l.event === "signal" && l.from === "unknown" && l.to === "ok", 1000, "the recovery line");
});
