// design.md's verdict table, one test per row, on Kustomizations as the API server serves them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { project } from "../../agent/status/project.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import { validateFluxObject } from "../../agent/sim/flux/schema.ts";
import { kustomization, ready, readyFalse, readyUnknown, reconciling, type Condition } from "./fixtures.ts";

/** Every fixture must be an object a real server could hold, or the test proves nothing. */
function valid(obj: Record<string, unknown>): Record<string, unknown> {
  assert.deepEqual(validateFluxObject(structuredClone(obj)), []);
  return obj;
}

const verdictOf = (obj: unknown) => evaluate(project(obj));

const stalled = (generation = 1): Condition => ({
  type: "Stalled",
  status: "True",
  reason: "InvalidCELExpression",
  message: "invalid CEL expression 'data.foo ==': Syntax error",
  observedGeneration: generation,
});

test("row 1: unreadable → unknown with the projection's sentence", () => {
  // A real server rejects this (the CRD says conditions is an array): it stands for a broken
  // or foreign server, which is exactly what row 1 is for.
  const obj = kustomization({ conditions: [ready()] });
  (obj.status as Record<string, unknown>).conditions = { type: "Ready", status: "True" };
  assert.notDeepEqual(validateFluxObject(structuredClone(obj)), []);
  assert.deepEqual(verdictOf(obj), {
    verdict: "unknown",
    reason: "Unreadable",
    message: "status.conditions is an object, not a list",
  });
});

test("row 1 wins over row 2: unreadable even when being deleted", () => {
  const obj = kustomization({ deletionTimestamp: "2026-08-01T10:05:00Z", conditions: [ready()] });
  (obj.metadata as Record<string, unknown>).generation = "1"; // rejected by a real server
  assert.equal(verdictOf(obj).verdict, "unknown");
});

test("row 2: deletionTimestamp set → terminating, even with Stalled=True", () => {
  const obj = valid(kustomization({ deletionTimestamp: "2026-08-01T10:05:00Z", conditions: [stalled(), readyFalse("InvalidCELExpression", "x")] }));
  const e = verdictOf(obj);
  assert.equal(e.verdict, "terminating");
  assert.equal(e.reason, "Terminating");
  assert.match(e.message, /2026-08-01T10:05:00Z/);
});

test("row 3: spec.suspend true → suspended, even with Stalled=True", () => {
  const obj = valid(kustomization({ suspend: true, conditions: [stalled(), readyFalse("InvalidCELExpression", "x")] }));
  assert.deepEqual(verdictOf(obj), { verdict: "suspended", reason: "Suspended", message: "reconciliation is suspended (spec.suspend: true)" });
});

test("row 3: spec.suspend false is not suspended", () => {
  const obj = valid(kustomization({ suspend: false, conditions: [ready()], observedGeneration: 1 }));
  assert.equal(verdictOf(obj).verdict, "ready");
});

test("row 4: Stalled=True for the current spec → failed with Stalled's words, even when Ready=True", () => {
  const obj = valid(kustomization({ conditions: [stalled(), ready()] }));
  assert.deepEqual(verdictOf(obj), {
    verdict: "failed",
    reason: "InvalidCELExpression",
    message: "invalid CEL expression 'data.foo ==': Syntax error",
  });
});

test("row 4 does not apply to a Stalled written for an older generation", () => {
  const obj = valid(kustomization({ generation: 3, conditions: [stalled(2), readyUnknown(3)] }));
  assert.equal(verdictOf(obj).verdict, "progressing");
});

test("row 5: no Ready condition (the CRD's default status) → progressing, waiting to be reconciled", () => {
  const obj = valid(kustomization({ observedGeneration: -1 }));
  assert.deepEqual(verdictOf(obj), { verdict: "progressing", reason: "NotReconciled", message: "waiting to be reconciled" });
  assert.equal(verdictOf(valid(kustomization({ noStatus: true }))).verdict, "progressing");
});

test("row 6: Ready=True written for an older generation → progressing, StaleStatus", () => {
  const obj = valid(kustomization({ generation: 2, observedGeneration: 1, conditions: [ready(1)] }));
  assert.deepEqual(verdictOf(obj), {
    verdict: "progressing",
    reason: "StaleStatus",
    message: "Ready condition is for generation 1, object is at 2",
  });
});

test("row 6: without its own observedGeneration, a condition is judged by status.observedGeneration", () => {
  const { observedGeneration: _, ...old } = ready();
  assert.equal(verdictOf(valid(kustomization({ generation: 2, observedGeneration: 1, conditions: [old] }))).reason, "StaleStatus");
  assert.equal(verdictOf(valid(kustomization({ generation: 2, observedGeneration: 2, conditions: [old] }))).verdict, "ready");
  const fresh = kustomization({ generation: 2, conditions: [old] });
  delete (fresh.status as Record<string, unknown>).observedGeneration;
  assert.equal(verdictOf(valid(fresh)).verdict, "ready");
});

test("row 6: a failing Kustomization's status.observedGeneration lags, but its Ready speaks for the current spec", () => {
  // status.observedGeneration advances only on success; the condition's own generation decides.
  const obj = valid(kustomization({ generation: 5, observedGeneration: 4, conditions: [readyFalse("BuildFailed", "kustomize build failed", 5)] }));
  assert.equal(verdictOf(obj).verdict, "failed");
});

test("row 7: Ready=True → ready with Flux's reason and message", () => {
  const obj = valid(kustomization({ observedGeneration: 1, conditions: [ready()] }));
  assert.deepEqual(verdictOf(obj), { verdict: "ready", reason: "ReconciliationSucceeded", message: "Applied revision: latest@sha256:5e1f0c0d" });
});

test("row 8: Ready=False with a transient reason → progressing", () => {
  for (const reason of ["DependencyNotReady", "HealthCheckCanceled", "Progressing"]) {
    const obj = valid(kustomization({ conditions: [reconciling(), readyFalse(reason, "dependency 'flux-system/infra' is not ready")] }));
    assert.deepEqual(verdictOf(obj), { verdict: "progressing", reason, message: "dependency 'flux-system/infra' is not ready" }, reason);
  }
});

test("row 9: Ready=False with any other reason → failed", () => {
  for (const reason of ["BuildFailed", "HealthCheckFailed", "ArtifactFailed", "ReconciliationFailed", "PruneFailed", "BucketOperationFailed"]) {
    const obj = valid(kustomization({ conditions: [{ ...reconciling(), reason: "ProgressingWithRetry" }, readyFalse(reason, "it broke")] }));
    assert.deepEqual(verdictOf(obj), { verdict: "failed", reason, message: "it broke" }, reason);
  }
});

test("row 10: Ready=Unknown → progressing with Flux's words", () => {
  const obj = valid(kustomization({ conditions: [reconciling(), readyUnknown()] }));
  assert.deepEqual(verdictOf(obj), { verdict: "progressing", reason: "Progressing", message: "Reconciliation in progress" });
});
