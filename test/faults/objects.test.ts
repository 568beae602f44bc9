// Issue 6: what a broken server or controller could hand over. Malformed objects are logged
// once, by namespace/name, and left out; a 1 MiB message is capped in the log and not kept;
// control characters never break a log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";
import { startFaultRig, ks, fail, sleep, GRACE } from "./rig.ts";

type Obj = Record<string, unknown> & { status: Record<string, unknown>; metadata: Record<string, unknown> };
const ready = (name: string, namespace = "apps") => kustomization({ name, namespace, ready: "True" }) as Obj;

test("malformed objects: each logged once with its namespace/name and left out; the light follows the good ones", async (t) => {
  const noConditionsList = ready("conditions-not-a-list");
  noConditionsList.status.conditions = { type: "Ready", status: "True" };
  const noType = ready("condition-without-type");
  delete (noType.status.conditions as Record<string, unknown>[])[0]!.type;
  const stringGeneration = ready("generation-a-string");
  stringGeneration.metadata.generation = "1";
  const malformed = [noConditionsList, noType, stringGeneration];

  const rig = await startFaultRig({ objects: [kustomization({ name: "good", namespace: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  for (const o of malformed) rig.server.createUnchecked(o as JsonObject);

  for (const [name, says] of [["conditions-not-a-list", /status.conditions is an object, not a list/], ["condition-without-type", /status.conditions\[0\].type is missing/], ["generation-a-string", /metadata.generation is the string "1", not a whole number/]] as const) {
    const line = await rig.logs.waitFor((l) => l.event === "verdict" && l.name === name, 3000, `${name}'s line`);
    assert.equal(line.namespace, "apps");
    assert.equal(line.verdict, "unknown");
    assert.equal(line.level, 40, "a warning");
    assert.match(String(line.message), says);
    assert.match(String(line.msg), new RegExp(`^Kustomization apps/${name} is unknown: Unreadable: .*left out of the light`));
  }
  assert.deepEqual(new Set(await rig.sample(GRACE + 500)), new Set(["green"]), "left out: the light stays green");

  // The good object fails: the light follows it, malformed objects or not.
  fail(rig.server, ks("good", "apps"));
  await rig.waitForLed("red");

  // Read everything again (410 Gone → relist) and see the malformed ones change again: no new lines.
  rig.server.dropWatches();
  rig.server.create(kustomization({ name: "other", namespace: "apps", ready: "True" }));
  rig.server.compact();
  await rig.logs.waitFor((l) => l.event === "watch-restart" && l.reason === "Expired" && l.kind === "Kustomization", 5000, "the relist");
  await sleep(500);
  for (const name of ["conditions-not-a-list", "condition-without-type", "generation-a-string"]) {
    assert.equal(rig.logs.lines.filter((l) => l.event === "verdict" && l.name === name).length, 1, `${name} logged once`);
  }
  assert.equal(rig.led().name, "red");
});

test("an object with no status at all is one nobody reconciled yet: progressing, amber after the grace (docs/design.md row 5)", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "good", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const bare = kustomization({ name: "no-status", ready: "True" }) as Obj;
  delete (bare as Record<string, unknown>).status;
  rig.server.createUnchecked(bare as JsonObject);
  await rig.waitForLed("amber", GRACE * 3, 50);
  const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "progressing", 1000, "the progressing line");
  assert.match(String(line.msg), /Kustomization flux-system\/no-status NotReconciled: waiting to be reconciled/);
});

test("control characters in a message: every log line stays one parseable JSON line with nothing raw", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "good", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const nasty = "build failed\x1b[2J\x1b[31m RED \x1b]0;pwned\x07\rOVERWRITTEN\nsecond line\u0000\u009b31m";
  rig.server.createUnchecked(kustomization({ name: "nasty\x1b[5m", ready: "False", reason: "BuildFailed\x07", message: nasty }));
  await rig.waitForLed("red");
  const line = await rig.logs.waitFor((l) => l.event === "verdict" && l.verdict === "failed", 2000, "the failed line");
  assert.equal(line.message, nasty, "the message survives, escaped, in the JSON");
  await rig.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 1000, "the signal line");
  for (const text of rig.raw) {
    assert.ok(text.endsWith("\n") && text.indexOf("\n") === text.length - 1, `one line: ${JSON.stringify(text.slice(0, 200))}`);
    // C0 controls (ESC, BEL, CR, NUL, …) are escaped by JSON itself; C1 (a UTF-8 U+009B is CSI to
    // xterm) and bidi overrides are escaped by the logger, as the same JSON value.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    assert.doesNotMatch(text.slice(0, -1), /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, `no raw control characters: ${JSON.stringify(text.slice(0, 200))}`);
    JSON.parse(text);
  }
});

test("a 1 MiB message: red, the logged message is capped, and the agent does not keep it", async (t) => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const heap = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(50);
    }
    return process.memoryUsage().heapUsed;
  };
  // A long grace: the API server is taken away below, and the light should not care.
  const rig = await startFaultRig({ objects: [kustomization({ name: "good", ready: "True" })], settings: { progressGraceMs: 120_000, stuckAfterMs: 600_000 } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const before = await heap();

  const N = 24;
  const huge = (i: number) => `health check failed after 5m0s: ${"timeout waiting for: [Deployment/apps/web status: 'InProgress'] ".repeat(17_000)}#${i}`;
  // Half fail with it; half are mid-run (Ready=Unknown) with it, which the log does not repeat.
  for (let i = 0; i < N; i++) {
    const failing = i % 2 === 0;
    rig.server.createUnchecked(kustomization({ name: `big-${i}`, ready: failing ? "False" : "Unknown", reason: failing ? "HealthCheckFailed" : "Progressing", message: huge(i) }));
  }
  assert.ok(huge(0).length > 1 << 20);
  await rig.waitForLed("red", 10_000);
  await rig.logs.waitFor(() => rig.logs.lines.filter((l) => l.event === "verdict" && String(l.name).startsWith("big-")).length === N / 2, 10_000, "every failed big object's line");
  const line = rig.logs.lines.find((l) => l.event === "verdict" && l.name === "big-0")!;
  assert.match(String(line.message), /^health check failed after 5m0s: timeout waiting for/);
  assert.match(String(line.message), /truncated, \d+ characters in all\]$/);
  const longest = Math.max(...rig.raw.map((r) => r.length));
  assert.ok(longest < 8 * 1024, `every log line is small (longest ${longest} characters)`);

  // Take the server's copies away while the agent cannot see (no DELETED reaches it): what is
  // left on the heap is what the agent keeps.
  await rig.server.stop();
  rig.server.removeCrd("Kustomization");
  rig.server.compact();
  const kept = (await heap()) - before;
  assert.equal(rig.led().name, "red", "the agent still holds the failed objects");
  assert.ok(kept < 8 * 1024 * 1024, `the agent keeps ${(kept / 1048576).toFixed(1)} MiB for ${N} objects with 1 MiB messages`);
});
