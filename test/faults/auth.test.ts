// Issue 6: the cluster says no. A revoked token (401) or a missing permission (403) shows
// `unknown` at once — waiting will not heal it — and the log says what to fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, waitForBlueBlink } from "./rig.ts";

test("401: the token stops working → unknown and a line naming 401 and the fix; the token restored → green", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");

  rig.server.setToken("rotated-token");
  rig.server.dropWatches(); // the next request is the one that finds out
  await waitForBlueBlink(rig, 8000);
  const line = await rig.logs.waitFor((l) => l.event === "api-error" && l.status === 401, 2000, "a 401 line");
  assert.equal(line.level, 40, "a warning");
  assert.match(String(line.error), /401 Unauthorized/);
  assert.match(String(line.fix), /credentials|token/);
  const signal = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 1000, "the unknown line");
  assert.match(String(signal.msg), /401 Unauthorized.*(service account token|kubeconfig user)/);
  const warned = rig.logs.lines.filter((l) => l.event === "api-error" && l.status === 401 && l.level === 40 && l.kind === "Kustomization").length;
  assert.ok(warned <= 2, `a failing retry is not repeated at warn level (${warned} lines)`);

  rig.server.setToken("fluxlight-sim-token");
  await rig.waitForLed("green", 10_000);
  await rig.logs.waitFor((l) => l.event === "signal" && l.from === "unknown" && l.to === "ok", 1000, "the recovery line");
});

test("403: list forbidden on kustomizations → unknown, and the log names the permission and the ClusterRole rule", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");

  rig.server.forbid({ resource: "kustomizations", verb: "list" });
  // The stream drops, something changes meanwhile and the history is compacted: the resumed
  // watch gets 410 Gone, and the relist is refused.
  rig.server.dropWatches();
  rig.server.create(kustomization({ name: "infra", ready: "True" }));
  rig.server.compact();
  await waitForBlueBlink(rig, 8000);
  const line = await rig.logs.waitFor((l) => l.event === "api-error" && l.status === 403, 2000, "a 403 line");
  assert.equal(line.kind, "Kustomization");
  assert.match(String(line.msg), /cannot list resource "kustomizations" in API group "kustomize.toolkit.fluxcd.io"/);
  assert.match(String(line.fix), /ClusterRole rule \{apiGroups: \["kustomize.toolkit.fluxcd.io"\], resources: \["kustomizations"\], verbs: \["list", "watch"\]\}/);

  rig.server.allow();
  await rig.waitForLed("green", 10_000);
});
