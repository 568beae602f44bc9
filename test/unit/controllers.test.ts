// Is a Flux controller running? status/controllers.ts with an injected clock (plain ms), and
// the signal's rule for a controller that is not (signal/decide.ts). Table tests, as kstatus's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { judgeController, leaseNeverRenewed, observeDeployment, observeLease, type ControllerSeen, type DeploymentView, type LeaseView } from "../../agent/status/controllers.ts";
import { projectDeployment, projectLease } from "../../agent/source/controllers.ts";
import { createSignalState, decide, observeConnectivity, observeControllers, observeObject } from "../../agent/signal/index.ts";
import { project } from "../../agent/source/project.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";

const lease = (renewTime: string, o: Partial<LeaseView> = {}): LeaseView => ({ name: "kustomize-controller-leader-election", renewTime, leaseDurationSeconds: 35, holderIdentity: "pod-a", ...o });
const deployment = (available: number, replicas = 1): DeploymentView => ({ name: "kustomize-controller", replicas, availableReplicas: available, available: available ? "True" : "False" });

/** Plays a timeline of what the agent saw (agent-clock ms) and judges at `at`. */
function seen(events: { at: number; lease?: LeaseView; deployment?: DeploymentView }[]): ControllerSeen {
  const c: ControllerSeen = { name: "kustomize-controller", namespace: "flux-system" };
  for (const e of events) {
    if (e.lease) c.lease = observeLease(c.lease, e.lease, e.at);
    if (e.deployment) c.deployment = observeDeployment(c.deployment, e.deployment, e.at);
  }
  return c;
}

// Renewals every 5 s, renewTime written by a node whose clock is a day behind: only the agent's
// own clock of when it SAW a change counts.
const SKEWED = (i: number) => `2026-12-01T00:00:${String(i * 5).padStart(2, "0")}.000000Z`;
const renewing = (from: number, to: number) => Array.from({ length: (to - from) / 5000 + 1 }, (_, i) => ({ at: from + i * 5000, lease: lease(SKEWED(i)) }));

const cases: { name: string; events: { at: number; lease?: LeaseView; deployment?: DeploymentView }[]; at: number; state: string; since?: number; message?: RegExp }[] = [
  { name: "renewing lease, available deployment: running", events: [{ at: 0, deployment: deployment(1) }, ...renewing(0, 30_000)], at: 40_000, state: "running" },
  { name: "renewTime a day in the past (skewed node clock) but changing: running", events: renewing(0, 60_000), at: 61_000, state: "running" },
  { name: "lease stopped changing for just the duration: still running", events: [{ at: 0, deployment: deployment(1) }, ...renewing(0, 30_000)], at: 65_000, state: "running" },
  { name: "lease stopped changing for longer than its duration: down since the duration ran out", events: [{ at: 0, deployment: deployment(1) }, ...renewing(0, 30_000)], at: 78_000, state: "down", since: 65_000, message: /^kustomize-controller is not running: lease flux-system\/kustomize-controller-leader-election last renewed 48s ago \(lasts 35s\); Deployment 1\/1 available$/ },
  { name: "deployment 0/1 available: down since it was seen so, lease or not", events: [{ at: 0, deployment: deployment(1) }, ...renewing(0, 10_000), { at: 12_000, deployment: deployment(0) }], at: 13_000, state: "down", since: 12_000, message: /Deployment 0\/1 available/ },
  { name: "a lease never seen changing says nothing: the deployment speaks", events: [{ at: 0, lease: lease(SKEWED(0)), deployment: deployment(1) }], at: 600_000, state: "running" },
  { name: "a lease never seen changing and no deployment: unknown, never down", events: [{ at: 0, lease: lease(SKEWED(0)) }], at: 600_000, state: "unknown" },
  { name: "nothing seen: unknown", events: [], at: 1000, state: "unknown" },
  { name: "a new leader (holder changes, renewTime older): a change, running", events: [{ at: 0, deployment: deployment(1) }, ...renewing(0, 10_000), { at: 40_000, lease: lease(SKEWED(0), { holderIdentity: "pod-b" }) }], at: 70_000, state: "running" },
  { name: "leaseDurationSeconds absent: Flux's 35 s", events: [{ at: 0, lease: lease(SKEWED(0), { leaseDurationSeconds: undefined }) }, { at: 1000, lease: lease(SKEWED(1), { leaseDurationSeconds: undefined }) }], at: 36_500, state: "down", since: 36_000 },
  { name: "deployment back to 1/1 while the lease is still stale: down until a renewal is seen", events: [...renewing(0, 5000), { at: 50_000, deployment: deployment(0) }, { at: 60_000, deployment: deployment(1) }], at: 61_000, state: "down", since: 40_000 },
];

for (const c of cases) {
  test(`judgeController: ${c.name}`, () => {
    const h = judgeController(seen(c.events), c.at);
    assert.equal(h.state, c.state);
    if (c.since !== undefined) assert.equal(h.state === "down" && h.since, c.since);
    if (c.message) assert.match(h.state === "down" ? h.message : "", c.message);
  });
}

test("a running controller with a renewing lease asks to be judged again when its lease would run out", () => {
  const h = judgeController(seen(renewing(0, 10_000)), 12_000);
  assert.deepEqual(h, { state: "running", recheckAt: 10_000 + 35_000 + 1 });
});

test("leaseNeverRenewed: only after a whole duration without a change", () => {
  const l = observeLease(undefined, lease(SKEWED(0)), 0);
  assert.equal(leaseNeverRenewed(l, 35_000), false);
  assert.equal(leaseNeverRenewed(l, 35_001), true);
  assert.equal(leaseNeverRenewed(observeLease(l, lease(SKEWED(1)), 1000), 60_000), false);
});

test("projections read what kubectl shows, and tolerate missing fields", () => {
  assert.deepEqual(projectLease({ metadata: { name: "x" }, spec: { renewTime: "t", leaseDurationSeconds: 15, holderIdentity: "h" } }), { name: "x", renewTime: "t", leaseDurationSeconds: 15, holderIdentity: "h" });
  assert.deepEqual(projectLease(null), { name: "", renewTime: undefined, leaseDurationSeconds: undefined, holderIdentity: undefined });
  assert.deepEqual(projectDeployment({ metadata: { name: "d" }, spec: { replicas: 2 }, status: { availableReplicas: 1, conditions: [{ type: "Available", status: "True" }] } }), { name: "d", replicas: 2, availableReplicas: 1, available: "True" });
  assert.deepEqual(projectDeployment({ metadata: { name: "d" }, spec: {}, status: {} }), { name: "d", replicas: 1, availableReplicas: 0, available: undefined });
});

// The signal's rule: a controller down past the grace is `failed`, with the evidence as the cause.
test("signal: a controller down within the grace holds green and wakes at the grace's end; past it, failed", () => {
  const GRACE = 20_000;
  let s = createSignalState({ progressGrace: GRACE });
  s = observeConnectivity(s, { state: "synced" }, 0);
  s = observeObject(s, { kind: "Kustomization", namespace: "flux-system", name: "apps" }, evaluate(project(kustomization({ name: "apps", ready: "True" }))), 0);
  assert.equal(decide(s, 1000).signal, "ok");
  s = observeControllers(s, [{ namespace: "flux-system", name: "kustomize-controller", since: 5000, message: "kustomize-controller is not running: Deployment 0/1 available" }], 6000);
  const held = decide(s, 6000);
  assert.equal(held.signal, "ok");
  assert.equal(held.nextWakeAt, 25_000);
  const d = decide(s, 25_000);
  assert.equal(d.signal, "failed");
  assert.equal(d.summary, "kustomize-controller not running");
  assert.deepEqual(d.causes, [{ ref: { kind: "Deployment", namespace: "flux-system", name: "kustomize-controller" }, verdict: "failed", reason: "ControllerNotRunning", message: "kustomize-controller is not running: Deployment 0/1 available" }]);
  assert.equal(decide(observeControllers(s, [], 26_000), 26_000).signal, "ok", "running again: green");
});

test("signal: a controller down with no counted object changes nothing (no Flux objects is unknown already)", () => {
  let s = createSignalState({ progressGrace: 0 });
  s = observeConnectivity(s, { state: "synced" }, 0);
  s = observeControllers(s, [{ namespace: "flux-system", name: "kustomize-controller", since: 0, message: "m" }], 0);
  assert.equal(decide(s, 1).signal, "unknown");
});
