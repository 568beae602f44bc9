// Issue 6: a relist storm. 10,000 realistic Kustomizations, one failed; the history is
// compacted under the watch so the agent must relist all of them, and the failed one recovers
// in the middle of it. The light ends green, nothing crashes. The time taken is reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, ks, sleep, succeed } from "./rig.ts";

const N = 10_000;

test(`a relist storm of ${N} objects, the failed one recovering mid-storm: ends green`, async (t) => {
  const t0 = Date.now();
  const objects = Array.from({ length: N }, (_, i) =>
    i === 4321
      ? kustomization({ name: `app-${i}`, namespace: `team-${i % 50}`, ready: "False", reason: "HealthCheckFailed", message: "health check failed after 3m0s: timeout waiting for: [Deployment/web status: 'InProgress']" })
      : kustomization({ name: `app-${i}`, namespace: `team-${i % 50}`, ready: "True" }),
  );
  const rig = await startFaultRig({ objects, settings: { kinds: undefined } });
  t.after(() => rig.stop());
  const seeded = Date.now();
  await rig.waitForLed("red", 60_000);
  const firstList = Date.now();
  const listed = await rig.logs.waitFor((l) => l.event === "listed" && l.kind === "Kustomization", 1000, "the first list");
  assert.deepEqual(listed.verdicts, { ready: N - 1, failed: 1 });

  const failed = ks("app-4321", "team-21");
  const lists = rig.server.count({ verb: "list", kind: "Kustomization" });
  const stormAt = Date.now();
  rig.server.dropWatches();
  succeed(rig.server, ks("app-0", "team-0"), "rev-2"); // history moves on…
  rig.server.compact(); // …and is compacted: the resumed watch hears 410 Gone
  // The relist begins (after the 410, or at once when the cut watch counted as an outage).
  for (let i = 0; i < 1000 && rig.server.count({ verb: "list", kind: "Kustomization" }) === lists; i++) await sleep(10);
  assert.ok(rig.server.count({ verb: "list", kind: "Kustomization" }) > lists, "the relist began within 10 s");
  succeed(rig.server, failed, "rev-3"); // recovers while the relist runs
  await rig.waitForLed("green", 60_000);
  const green = Date.now();
  assert.ok(rig.server.count({ verb: "list", kind: "Kustomization" }) >= lists + Math.ceil(N / 500), "relisted, page by page");
  assert.equal(rig.logs.lines.filter((l) => Number(l.level) >= 50).length, 0, "no error lines");
  t.diagnostic(`seed ${seeded - t0} ms; agent start → first list of ${N} shown ${firstList - seeded} ms; watch cut → relisted, recovery shown ${green - stormAt} ms`);
});
