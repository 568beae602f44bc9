// docs/design.md's verdict table, one test per row, on Kustomizations built by the simulator's
// builders (agent/sim/flux/objects.ts) and checked against the real CRD schema.
import { test } from "node:test";
import assert from "node:assert/strict";
import { project } from "../../agent/source/project.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import { validateFluxObject } from "../../agent/sim/flux/schema.ts";
import { bucket, helmRelease, kustomization, type KustomizationOptions } from "../../agent/sim/flux/objects.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";

/** Every fixture must be an object a real server could hold, or the test proves nothing. */
function valid(obj: JsonObject): JsonObject {
  assert.deepEqual(validateFluxObject(structuredClone(obj)), []);
  return obj;
}
const ks = (o: Partial<KustomizationOptions> = {}) => valid(kustomization({ name: "main", ...o }));
/** The verdict with Flux's words; `since` (the condition's lastTransitionTime) has its own test. */
const verdictOf = (obj: unknown) => {
  const { since: _since, ...rest } = evaluate(project(obj));
  return rest;
};
// The status' conditions, for the few tests that edit one by hand.
const conditions = (obj: JsonObject) => (obj.status as JsonObject).conditions as JsonObject[];

test("row 1: unreadable → unknown with the projection's sentence", () => {
  // A real server rejects this (the CRD says conditions is an array): it stands for a broken
  // or foreign server, which is exactly what row 1 is for.
  const obj = ks({ ready: "True" });
  (obj.status as JsonObject).conditions = { type: "Ready", status: "True" };
  assert.notDeepEqual(validateFluxObject(structuredClone(obj)), []);
  assert.deepEqual(verdictOf(obj), { verdict: "unknown", reason: "Unreadable", message: "status.conditions is an object, not a list" });
});

test("row 1 wins over row 2: unreadable even while being deleted", () => {
  const obj = ks({ ready: "True", deletionTimestamp: "2026-07-01T12:05:00Z" });
  (obj.metadata as JsonObject).generation = "1"; // also rejected by a real server
  assert.deepEqual(verdictOf(obj), { verdict: "unknown", reason: "Unreadable", message: 'metadata.generation is the string "1", not a whole number' });
});

test("row 2: deletionTimestamp set → terminating, even when Stalled", () => {
  const e = verdictOf(ks({ ready: "False", stalled: true, reason: "InvalidCELExpression", message: "x", deletionTimestamp: "2026-07-01T12:05:00Z" }));
  assert.deepEqual(e, { verdict: "terminating", reason: "Terminating", message: "being deleted since 2026-07-01T12:05:00Z" });
});

test("row 3: spec.suspend true → suspended, even when Stalled", () => {
  const e = verdictOf(ks({ ready: "False", stalled: true, reason: "InvalidCELExpression", message: "x", suspend: true }));
  assert.deepEqual(e, { verdict: "suspended", reason: "Suspended", message: "reconciliation is suspended (spec.suspend: true)" });
});

test("row 4: Stalled=True for the current spec → failed with Stalled's words", () => {
  const message = "invalid CEL expression 'data.foo ==': Syntax error";
  assert.deepEqual(verdictOf(ks({ ready: "False", stalled: true, reason: "InvalidCELExpression", message })), {
    verdict: "failed",
    reason: "InvalidCELExpression",
    message,
  });
  // Stalled is checked before Ready: it wins even beside a (contradictory) Ready=True.
  const both = ks({ ready: "True" });
  conditions(both).unshift({ type: "Stalled", status: "True", observedGeneration: 1, reason: "AccessDenied", message: "no", lastTransitionTime: "2026-07-01T12:00:00Z" });
  valid(both);
  assert.deepEqual(verdictOf(both), { verdict: "failed", reason: "AccessDenied", message: "no" });
});

test("row 4 skips a Stalled written for an older generation", () => {
  const obj = ks({ generation: 3, ready: "False", stalled: true, reason: "InvalidCELExpression", message: "x", conditionObservedGeneration: 2 });
  // Ready is as old: row 6 decides.
  assert.equal(verdictOf(obj).reason, "StaleStatus");
});

test("row 5: no Ready condition (the CRD's default status) → progressing, waiting to be reconciled", () => {
  const obj = ks();
  assert.deepEqual(obj.status, { observedGeneration: -1 });
  assert.deepEqual(verdictOf(obj), { verdict: "progressing", reason: "NotReconciled", message: "waiting to be reconciled" });
  const bare = ks();
  delete bare.status; // as a client sees it before defaulting
  assert.equal(verdictOf(valid(bare)).reason, "NotReconciled");
});

test("row 6: Ready=True written for an older generation → progressing, StaleStatus", () => {
  const obj = ks({ generation: 2, ready: "True", conditionObservedGeneration: 1, observedGeneration: 1 });
  assert.deepEqual(verdictOf(obj), { verdict: "progressing", reason: "StaleStatus", message: "Ready condition is for generation 1, object is at 2" });
});

test("row 6: without its own observedGeneration, a condition is judged by status.observedGeneration", () => {
  const stale = ks({ generation: 2, ready: "True", observedGeneration: 1 });
  for (const c of conditions(stale)) delete c.observedGeneration;
  assert.equal(verdictOf(valid(stale)).reason, "StaleStatus");
  (stale.status as JsonObject).observedGeneration = 2;
  assert.equal(verdictOf(stale).verdict, "ready");
  delete (stale.status as JsonObject).observedGeneration;
  assert.equal(verdictOf(valid(stale)).verdict, "ready", "absent status.observedGeneration: taken at its word");
});

test("row 6 does not hide a failure: a failing Kustomization's status.observedGeneration lags by design", () => {
  // status.observedGeneration advances only on success; the condition's own generation decides.
  const obj = ks({ generation: 5, ready: "False", reason: "BuildFailed", message: "kustomize build failed" });
  assert.equal((obj.status as JsonObject).observedGeneration, 4);
  assert.equal(verdictOf(obj).verdict, "failed");
});

test("row 7: Ready=True → ready with Flux's reason and message", () => {
  const e = verdictOf(ks({ ready: "True", revision: "latest@sha256:5e1f" }));
  assert.deepEqual(e, { verdict: "ready", reason: "ReconciliationSucceeded", message: "Applied revision: latest@sha256:5e1f" });
});

test("row 8: Ready=False with a transient reason → progressing", () => {
  for (const reason of ["DependencyNotReady", "HealthCheckCanceled", "Progressing"]) {
    const message = "dependency 'flux-system/infra' is not ready";
    assert.deepEqual(verdictOf(ks({ ready: "False", reason, message })), { verdict: "progressing", reason, message }, reason);
  }
});

test("row 9: Ready=False with any other reason → failed (what kstatus calls InProgress)", () => {
  for (const reason of ["BuildFailed", "HealthCheckFailed", "ArtifactFailed", "ReconciliationFailed", "PruneFailed"]) {
    const obj = ks({ ready: "False", reason, message: "it broke" });
    assert.equal(conditions(obj).find((c) => c.type === "Reconciling")?.reason, "ProgressingWithRetry");
    assert.deepEqual(verdictOf(obj), { verdict: "failed", reason, message: "it broke" }, reason);
  }
  const source = valid(bucket({ name: "caddy-bucket", ready: "False" }));
  assert.equal(verdictOf(source).reason, "BucketOperationFailed");
  assert.equal(verdictOf(source).verdict, "failed");
  assert.equal(verdictOf(valid(helmRelease({ name: "podinfo", ready: "False" }))).verdict, "failed");
});

test("row 10: Ready=Unknown → progressing with Flux's words", () => {
  assert.deepEqual(verdictOf(ks({ ready: "Unknown" })), { verdict: "progressing", reason: "Progressing", message: "Reconciliation in progress" });
});

test("since: the deciding condition's lastTransitionTime, so a spell that began before the agent counts from then", () => {
  const now = new Date("2026-07-01T12:00:00Z");
  assert.equal(evaluate(project(ks({ ready: "Unknown", reason: "Progressing", message: "Reconciliation in progress", now }))).since, now.getTime());
  assert.equal(evaluate(project(ks({ ready: "False", reason: "BuildFailed", message: "x", now }))).since, now.getTime());
  assert.equal(evaluate(project(ks({}))).since, undefined, "no Ready condition: nothing to date it by");
});
