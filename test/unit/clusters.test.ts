// One light over several clusters, in the pure signal: each cluster's view is kept beside the
// worst (acrossClusters), and a cluster nobody can see hides only its own objects — never green on
// it, while a failure known in a cluster that is seen stays red. The agent running over two
// simulated API servers is test/e2e/clusters.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ClusterView, ObjectRef } from "../../agent/model.ts";
import { refKey } from "../../agent/model.ts";
import { createSignalState, decide, observeConnectivity, observeControllers, observeList, type SignalState } from "../../agent/signal/index.ts";
import { acrossClusters } from "../../agent/source/connectivity.ts";
import { project } from "../../agent/source/project.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";

const GRACE = 20_000;
const READY = evaluate(project(kustomization({ name: "apps", ready: "True" })));
const FAILED = evaluate(project(kustomization({ name: "apps", ready: "False", reason: "BuildFailed", message: "kustomize build failed" })));
const SYNCED: ClusterView = { state: "synced" };
const at = (cluster: string): ObjectRef => ({ kind: "Kustomization", namespace: "flux-system", name: "apps", cluster });

/** Both clusters listed: home's apps is `home`, away's apps is `away`. */
function twoClusters(home: typeof READY, away: typeof READY): SignalState {
  let s = createSignalState({ progressGrace: GRACE, stuckAfter: 600_000 });
  s = observeList(s, [{ ref: at("home"), evaluation: home }, { ref: at("away"), evaluation: away }], [], 0);
  return observeConnectivity(s, acrossClusters(new Map([["home", SYNCED], ["away", SYNCED]])), 0);
}

const views = (away: ClusterView) => acrossClusters(new Map([["home", SYNCED], ["away", away]]));

test("the same namespace/name in two clusters is two objects: a failure in either is red", () => {
  assert.notEqual(refKey(at("home")), refKey(at("away")));
  assert.equal(decide(twoClusters(READY, READY), 1).signal, "ok");
  const d = decide(twoClusters(READY, FAILED), 1);
  assert.equal(d.signal, "failed");
  assert.deepEqual(d.causes.map((c) => c.ref.cluster), ["away"]);
  assert.equal(decide(twoClusters(FAILED, READY), 1).signal, "failed");
});

test("acrossClusters: the worst, a cluster without Flux included, each cluster's own kept", () => {
  const c = acrossClusters(new Map<string, ClusterView>([["home", SYNCED], ["away", { state: "missing-crd", error: "no Flux", fix: "install Flux" }]]));
  assert.equal(c.state, "missing-crd");
  assert.deepEqual(Object.keys(c.clusters ?? {}), ["home", "away"]);
  assert.equal(acrossClusters(new Map<string, ClusterView>([["home", SYNCED], ["away", { state: "listing" }]])).state, "listing");
});

test("a cluster unreachable: held for the grace, then unknown (never green on a cluster nobody can see)", () => {
  const s = observeConnectivity(twoClusters(READY, READY), views({ state: "unreachable", since: 1000, error: "no answer from away.lan" }), 1000);
  const held = decide(s, 1000 + GRACE - 1);
  assert.equal(held.signal, "ok");
  assert.equal(held.nextWakeAt, 1000 + GRACE);
  const d = decide(s, 1000 + GRACE);
  assert.equal(d.signal, "unknown");
  assert.equal(d.summary, "cluster away: API unreachable for 20s: no answer from away.lan");
});

test("a failure known in a cluster that is seen stays red while another cluster is unreachable; a stale one in the blind cluster does not count", () => {
  const blindAway = views({ state: "unreachable", since: 0, error: "no answer from away.lan" });
  const homeFailed = decide(observeConnectivity(twoClusters(FAILED, READY), blindAway, 0), GRACE);
  assert.equal(homeFailed.signal, "failed");
  assert.match(homeFailed.summary, /^1 of 1 object seen failed; cluster away: API unreachable for 20s/);
  assert.deepEqual(homeFailed.causes.map((c) => c.ref.cluster), ["home"]);
  // away's failure was seen before it went dark: nobody knows what it is now.
  assert.equal(decide(observeConnectivity(twoClusters(READY, FAILED), blindAway, 0), GRACE).signal, "unknown");
});

test("access denied in one cluster shows at once; every cluster blind: unknown whatever was known", () => {
  const denied: ClusterView = { state: "denied", error: "HTTP 403", fix: "bind the ClusterRole" };
  const d = decide(observeConnectivity(twoClusters(READY, READY), views(denied), 5), 5);
  assert.deepEqual([d.signal, d.summary], ["unknown", "cluster away: access denied: HTTP 403 (bind the ClusterRole)"]);
  const both = acrossClusters(new Map([["home", denied], ["away", denied]]));
  assert.equal(decide(observeConnectivity(twoClusters(FAILED, READY), both, 5), 5).signal, "unknown");
});

test("a controller not running in a cluster that is seen is a failure while another is blind; one in the blind cluster is not", () => {
  const down = (cluster: string) => [{ namespace: "flux-system", name: "kustomize-controller", cluster, since: 0, message: `cluster ${cluster}: kustomize-controller is not running` }];
  const blindAway = views({ state: "unreachable", since: 0, error: "no answer" });
  const homeDown = decide(observeControllers(observeConnectivity(twoClusters(READY, READY), blindAway, 0), down("home"), 0), GRACE);
  assert.equal(homeDown.signal, "failed");
  assert.match(homeDown.summary, /^kustomize-controller of home not running; cluster away: /);
  assert.equal(decide(observeControllers(observeConnectivity(twoClusters(READY, READY), blindAway, 0), down("away"), 0), GRACE).signal, "unknown");
});

test("one cluster (no names): exactly the single-cluster rules", () => {
  let s = createSignalState({ progressGrace: GRACE, stuckAfter: 600_000 });
  s = observeList(s, [{ ref: { kind: "Kustomization", namespace: "flux-system", name: "apps" }, evaluation: FAILED }], [], 0);
  s = observeConnectivity(s, { state: "unreachable", since: 0, error: "ECONNREFUSED" }, 0);
  const d = decide(s, GRACE);
  assert.deepEqual([d.signal, d.summary], ["unknown", "API unreachable for 20s: ECONNREFUSED"]);
});
