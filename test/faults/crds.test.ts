// Issue 6: Flux's CRDs go away and come back while the agent runs. A kind without its CRD is
// simply not watched and its objects are forgotten; no CRD at all is `unknown`; reinstalled,
// the agent finds the kinds again without a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bucket, helmRelease, kustomization } from "../../agent/sim/flux/objects.ts";
import { startFaultRig, waitForBlueBlink } from "./rig.ts";

test("CRDs removed and reinstalled while running: the light follows the kinds still served", async (t) => {
  const rig = await startFaultRig({
    crds: ["Kustomization", "Bucket"],
    objects: [kustomization({ name: "apps", ready: "False", reason: "BuildFailed", message: "kustomize build failed" }), bucket({ name: "caddy-bucket", ready: "True" })],
    rediscoverMs: 500,
  });
  t.after(() => rig.stop());
  await rig.waitForLed("red");

  await t.test("Kustomization CRD removed, Bucket still served: the failed Kustomization is forgotten → green", async () => {
    rig.server.removeCrd("Kustomization");
    await rig.waitForLed("green", 8000);
    await rig.logs.waitFor((l) => l.event === "api-error" && l.kind === "Kustomization" && l.cause === "missing-crd", 8000, "the missing CRD line");
    assert.deepEqual(rig.agent.snapshot().objects, [{ kind: "Bucket", verdict: "ready", count: 1 }]);
  });

  await t.test("every CRD removed: unknown (blue blinking), the log says the CRDs are missing", async () => {
    const mark = rig.logs.lines.length;
    rig.server.removeCrd("Bucket");
    await waitForBlueBlink(rig, 10_000);
    await rig.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 1000, "the unknown line");
    const line = await rig.logs.waitFor((l) => rig.logs.lines.indexOf(l) >= mark && l.event === "api-error" && l.kind === "Bucket", 8000, "the Bucket's 404 line");
    assert.equal(line.cause, "missing-crd");
    assert.match(String(line.error), /404: the cluster does not serve buckets.source.toolkit.fluxcd.io/);
    assert.match(String(line.fix), /install Flux \(its Bucket CRD\)/);
  });

  await t.test("reinstalled: the kinds are watched again and the light tells the truth", async () => {
    rig.server.installCrd("Kustomization");
    rig.server.installCrd("Bucket");
    rig.server.create(kustomization({ name: "apps", ready: "True" }));
    rig.server.create(bucket({ name: "caddy-bucket", ready: "True" }));
    await rig.waitForLed("green", 10_000);
  });

  await t.test("a kind installed after start-up (helm-controller) is picked up by rediscovery", async () => {
    const mark = rig.logs.lines.length;
    rig.server.installCrd("HelmRelease");
    rig.server.create(helmRelease({ name: "podinfo", namespace: "apps", ready: "False", reason: "UpgradeFailed", message: "Helm upgrade failed: timed out waiting for the condition" }));
    await rig.waitForLed("red", 8000);
    const line = await rig.logs.waitFor((l) => rig.logs.lines.indexOf(l) >= mark && l.event === "signal" && l.to === "failed", 1000, "the failed line");
    assert.match(String(line.msg), /HelmRelease apps\/podinfo UpgradeFailed/);
    await rig.logs.waitFor((l) => l.event === "watching" && (l.kinds as string[]).includes("HelmRelease"), 1000, "the watching line");
  });
});
