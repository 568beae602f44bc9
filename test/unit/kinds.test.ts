// Every Flux kind fluxlight watches reads through the same verdict table: ready, failed,
// progressing, suspended and terminating objects of each kind, valid against its CRD.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bucket, gitRepository, helmRelease, kustomization, ociRepository, type FluxObjectOptions } from "../../agent/sim/flux/objects.ts";
import { validateFluxObject } from "../../agent/sim/flux/schema.ts";
import { project } from "../../agent/source/project.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";

const BUILDERS: Record<string, (o: FluxObjectOptions) => JsonObject> = {
  Kustomization: kustomization,
  Bucket: bucket,
  GitRepository: gitRepository,
  OCIRepository: ociRepository,
  HelmRelease: helmRelease,
};

// Each kind's own failure reasons, as its controller writes them (conditions.md).
const FAILURES: Record<string, [string, string]> = {
  Kustomization: ["HealthCheckFailed", "health check failed after 3m0s: timeout waiting for: [Deployment/apps/web status: 'InProgress']"],
  Bucket: ["BucketOperationFailed", "failed to confirm existence of 'dist' bucket: dial tcp: connect: connection refused"],
  GitRepository: ["GitOperationFailed", "failed to checkout and determine revision: unable to clone: authentication required"],
  OCIRepository: ["OCIArtifactPullFailed", "failed to pull artifact: manifest unknown"],
  HelmRelease: ["UpgradeFailed", "Helm upgrade failed for release apps/web with chart web@1.2.3: context deadline exceeded"],
};

const cases: [string, Partial<FluxObjectOptions>, string, string][] = [
  ["ready", { ready: "True" }, "ready", ""],
  ["failed", { ready: "False" }, "failed", "<failure>"],
  ["progressing (a run going on)", { ready: "Unknown", reason: "Progressing", message: "Reconciliation in progress" }, "progressing", "Progressing"],
  ["progressing (never reconciled)", {}, "progressing", "NotReconciled"],
  ["suspended", { ready: "False", suspend: true }, "suspended", "Suspended"],
  ["terminating", { ready: "True", deletionTimestamp: "2026-07-01T12:05:00Z" }, "terminating", "Terminating"],
];

for (const [kind, build] of Object.entries(BUILDERS)) {
  for (const [what, opts, verdict, reason] of cases) {
    test(`${kind} ${what} → ${verdict}`, () => {
      const [failReason, failMessage] = FAILURES[kind]!;
      const withFailure = opts.ready === "False" ? { reason: failReason, message: failMessage } : {};
      const obj = build({ name: "x", ...withFailure, ...opts });
      assert.deepEqual(validateFluxObject(structuredClone(obj)), [], "the fixture is what the API server would serve");
      const ev = evaluate(project(obj, kind));
      assert.equal(ev.verdict, verdict);
      if (reason === "<failure>") {
        assert.equal(ev.reason, failReason);
        assert.equal(ev.message, failMessage);
      } else if (reason) assert.equal(ev.reason, reason);
    });
  }
}
