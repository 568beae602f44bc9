// Issue 10, item 6: no tight loops against the API server. A watch that the server answers with
// 200 and closes at once, or ends with an ERROR event other than 410, backs off like any other
// failure (client-go's "very short watch" rule) — counted on the simulator, request by request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, fail, ks, sleep } from "./rig.ts";

const ONLY_KS = { kinds: [{ kind: "Kustomization", group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" }] };

for (const how of ["close", "error"] as const) {
  test(`watches that ${how === "close" ? "answer 200 and close at once" : "send an ERROR event (500) at once"} are retried with backoff, not thousands of times a second`, async (t) => {
    const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })], settings: ONLY_KS });
    t.after(() => rig.stop());
    await rig.waitForLed("green", 15_000, 300);

    rig.server.breakWatches(how);
    rig.server.dropWatches();
    rig.server.resetStats();
    await sleep(6000);
    const watches = rig.server.count({ verb: "watch" });
    // Backoff from 0.5 s doubling to its 5 s cap: about 5 attempts in 6 s. Without it: tens of thousands.
    assert.ok(watches >= 2 && watches <= 12, `${watches} watch requests in 6 s`);
    const said = rig.logs.events("api-error").filter((l) => l.during === "watch");
    assert.ok(said.length >= 1, "the failure is logged");

    // The server heals: the watch runs again and the light tells the truth.
    rig.server.breakWatches(undefined);
    await rig.logs.waitFor((l) => l.event === "api-recovered", 15_000, "api-recovered");
    fail(rig.server, ks("apps"));
    await rig.waitForLed("red", 10_000, 300);
  });
}
