// The whole pipeline as the homelab runs it: rclone's Bucket feeding Kustomizations, and the
// scope flags. Read on the emulated chip, with the log lines a person would grep for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bucket, homelab, kustomization } from "../../agent/sim/flux/objects.ts";
import { failedRun } from "../../agent/sim/flux/controller.ts";
import { startInProcess, RGB } from "./harness.ts";
import { findKind } from "../../agent/source/kinds.ts";

test("rclone down: the Bucket turns the light red while its Kustomization still says Ready=True", async (t) => {
  const rig = await startInProcess({ led: RGB, objects: homelab(), settings: { progressGraceMs: 1000 } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const ref = { kind: "Bucket", namespace: "flux-system", name: "caddy-bucket" };
  for (const s of failedRun(rig.cluster.server.get(ref)!, "rev", "BucketOperationFailed", "failed to confirm existence of 'dist' bucket: connection refused")) {
    rig.cluster.server.updateStatus(ref, s);
  }
  await rig.waitForLed("red");
  const main = rig.cluster.server.get({ kind: "Kustomization", namespace: "flux-system", name: "main" })!;
  const ready = ((main.status as { conditions: { type: string; status: string }[] }).conditions).find((c) => c.type === "Ready");
  assert.equal(ready?.status, "True", "the Kustomization itself still reads Ready=True");
  const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 2000, "the failed line");
  assert.deepEqual((line.causes as { kind: string; name: string; reason: string }[]).map((c) => `${c.kind}/${c.name}/${c.reason}`), ["Bucket/caddy-bucket/BucketOperationFailed"]);
});

test("--namespace and --selector narrow what counts", async (t) => {
  const objects = [
    kustomization({ name: "infra", namespace: "flux-system", ready: "True", labels: { tier: "infra" } }),
    kustomization({ name: "scratch", namespace: "sandbox", ready: "False", reason: "BuildFailed", message: "broken on purpose" }),
    kustomization({ name: "experiment", namespace: "flux-system", ready: "False", reason: "BuildFailed", message: "not ours", labels: { tier: "lab" } }),
  ];
  const rig = await startInProcess({ led: RGB, objects, settings: { progressGraceMs: 1000, namespaces: ["flux-system"], selector: "tier=infra", kinds: [findKind("Kustomization")!] } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const watching = await rig.logs.waitFor((l) => l.event === "watching", 2000, "the watching line");
  assert.deepEqual(watching.kinds, ["Kustomization"]);
  assert.match(String(watching.msg), /in namespaces flux-system with labels tier=infra/);
  const listed = await rig.logs.waitFor((l) => l.event === "listed", 2000, "the listed line");
  assert.equal(listed.objects, 1, "only flux-system/infra is in scope");
  // A failure inside the scope still shows.
  rig.cluster.server.create(kustomization({ name: "apps", namespace: "flux-system", ready: "False", reason: "BuildFailed", message: "in scope", labels: { tier: "infra" } }));
  await rig.waitForLed("red");
});

test("a kind whose CRD is not installed is skipped with one line; none at all → unknown", async (t) => {
  await t.test("only Kustomization and Bucket served", async (t) => {
    const rig = await startInProcess({ led: RGB, crds: ["Kustomization", "Bucket"], objects: [bucket({ name: "b", ready: "True" })], settings: { progressGraceMs: 1000 } });
    t.after(() => rig.stop());
    await rig.waitForLed("green");
    const skipped = await rig.logs.waitFor((l) => l.event === "kinds-skipped", 2000, "the skipped line");
    assert.deepEqual(skipped.kinds, ["GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "HelmRelease"]);
    assert.equal(rig.logs.events("kinds-skipped").length, 1);
  });
  await t.test("no Flux CRD at all", async (t) => {
    const rig = await startInProcess({ led: RGB, crds: [], settings: { progressGraceMs: 1000 } });
    t.after(() => rig.stop());
    const line = await rig.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 5000, "the unknown line");
    assert.match(String(line.summary), /Flux CRDs missing/);
    const seen = new Set(await rig.sample(2500));
    assert.ok(seen.has("blue") && !seen.has("green"), `blue blinking, saw ${[...seen]}`);
  });
});
