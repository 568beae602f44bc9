import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { FLUX_KINDS, validateFluxObject, type JsonObject } from "../../agent/sim/flux/schema.ts";
import { bucket, gitRepository, helmRelease, homelab, kustomization, ociRepository } from "../../agent/sim/flux/objects.ts";
import { failedRun, reconcileFailed, successfulRun } from "../../agent/sim/flux/controller.ts";

const crdDir = new URL("../../agent/sim/flux/crds/", import.meta.url);

test("CRD copies match the checksums in their README", () => {
  const readme = readFileSync(new URL("README.md", crdDir), "utf8");
  const sums = [...readme.matchAll(/^([0-9a-f]{64})\s+(\S+\.yaml)$/gm)];
  assert.equal(sums.length, 5);
  for (const [, sum, file] of sums) {
    assert.equal(createHash("sha256").update(readFileSync(new URL(file!, crdDir))).digest("hex"), sum, file);
  }
});

test("kinds: group, version, plural, scope", () => {
  const byKind = Object.fromEntries(FLUX_KINDS.map((k) => [k.kind, `${k.group}/${k.version} ${k.plural} ${k.namespaced}`]));
  assert.equal(byKind.Kustomization, "kustomize.toolkit.fluxcd.io/v1 kustomizations true");
  assert.equal(byKind.Bucket, "source.toolkit.fluxcd.io/v1 buckets true");
  assert.equal(byKind.HelmRelease, "helm.toolkit.fluxcd.io/v2 helmreleases true");
  assert.equal(FLUX_KINDS.find((k) => k.kind === "HelmChart")?.schemaSource, "permissive");
});

const readies = ["True", "False", "Unknown", undefined] as const;
const builders = { kustomization, bucket, gitRepository, ociRepository, helmRelease };

test("every builder's output validates against its CRD, for every option", () => {
  for (const [name, build] of Object.entries(builders)) {
    for (const ready of readies) {
      for (const extra of [{}, { managedFields: true, labels: { team: "a" } }, { stalled: true, generation: 4 }, { suspend: true, deletionTimestamp: "2026-07-01T12:00:00Z" }, { generation: 3, observedGeneration: 2, conditionObservedGeneration: 2, reconciling: true }]) {
        const obj = build({ name: "web", namespace: "apps", ready, inventoryEntries: 40, ...extra });
        assert.deepEqual(validateFluxObject(obj), [], `${name} ready=${ready} ${JSON.stringify(extra)}`);
      }
    }
  }
  for (const obj of homelab()) assert.deepEqual(validateFluxObject(obj), []);
});

test("builders follow conditions.md: sorted conditions, observedGeneration rules, inventory ids", () => {
  const failed = kustomization({ name: "web", namespace: "apps", ready: "False", generation: 3 });
  const status = failed.status as JsonObject;
  assert.deepEqual((status.conditions as JsonObject[]).map((c) => `${c.type}=${c.status}/${c.reason}`), ["Reconciling=True/ProgressingWithRetry", "Ready=False/ReconciliationFailed"]);
  assert.equal(status.observedGeneration, 2);
  const ok = kustomization({ name: "web", namespace: "apps", ready: "True", inventoryEntries: 3 });
  assert.deepEqual(((ok.status as JsonObject).inventory as JsonObject).entries, [
    { id: "apps_web_apps_Deployment", v: "v1" },
    { id: "apps_web__Service", v: "v1" },
    { id: "apps_web__ConfigMap", v: "v1" },
  ]);
  const stalled = kustomization({ name: "web", ready: "False", stalled: true, reason: "AccessDenied", message: "denied" });
  assert.deepEqual(((stalled.status as JsonObject).conditions as JsonObject[]).map((c) => c.type), ["Stalled", "Ready"]);
  assert.deepEqual(kustomization({ name: "new" }).status, { observedGeneration: -1 });
});

test("validation rejects an invalid Kustomization with apiserver-shaped messages", () => {
  const bad = kustomization({ name: "web", ready: "True" }) as JsonObject;
  const spec = bad.spec as JsonObject;
  spec.interval = "often";
  delete spec.prune;
  ((bad.status as JsonObject).conditions as JsonObject[])[0]!.status = "Yes";
  const errors = validateFluxObject(bad);
  assert.ok(errors.includes("spec.prune: Required value"), errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith(`spec.interval: Invalid value: "often": spec.interval in body should match`)), errors.join("\n"));
  assert.ok(errors.includes(`status.conditions[0].status: Unsupported value: "Yes": supported values: "True", "False", "Unknown"`), errors.join("\n"));
  assert.ok(validateFluxObject({ ...bad, metadata: { name: "Not_A_Name", namespace: "x" } }).some((e) => e.startsWith("metadata.name: Invalid value")));
});

test("defaulting: a new Kustomization and Bucket get status.observedGeneration = -1 and spec defaults", () => {
  for (const obj of [kustomization({ name: "a" }), bucket({ name: "b" })]) {
    delete obj.status;
    const spec = obj.spec as JsonObject;
    delete spec.timeout;
    assert.deepEqual(validateFluxObject(obj, { applyDefaults: true }), []);
    assert.deepEqual(obj.status, { observedGeneration: -1 });
  }
  const b = bucket({ name: "b" });
  delete (b.spec as JsonObject).timeout;
  validateFluxObject(b, { applyDefaults: true });
  assert.equal((b.spec as JsonObject).timeout, "60s");
});

test("controller helper: runs produce valid statuses in Flux's order", () => {
  const ks = kustomization({ name: "main", ready: "True", wait: true, generation: 2, observedGeneration: 1 });
  const run = successfulRun(ks, "sha256:abc");
  assert.ok(run.length >= 4 && run.length <= 6);
  for (const s of run) assert.deepEqual(validateFluxObject({ ...ks, status: s }), []);
  const first = run[0]!.conditions as JsonObject[];
  assert.deepEqual(first.slice(0, 2).map((c) => `${c.type}=${c.status}/${c.reason}`), ["Reconciling=True/Progressing", "Ready=Unknown/Progressing"]);
  const last = run.at(-1)!;
  assert.equal(last.observedGeneration, 2);
  assert.equal((last.conditions as JsonObject[])[0]!.message, "Applied revision: sha256:abc");
  const fail = failedRun(ks, "sha256:abc", "BuildFailed", "kustomize build failed").at(-1)!;
  assert.equal(fail.observedGeneration, 1);
  const stalled = reconcileFailed(ks, "AccessDenied", "no", { stalled: true });
  assert.deepEqual((stalled.conditions as JsonObject[]).map((c) => c.type).slice(0, 2), ["Stalled", "Ready"]);
});
