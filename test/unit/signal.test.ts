// The signal with a fake clock: every instant is a plain number of ms. Pure: no agent here.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connectivity, Evaluation, ObjectRef, Signal } from "../../agent/model.ts";
import {
  createSignalState,
  decide,
  observeConnectivity,
  observeList,
  observeObject,
  transition,
  type SignalOptions,
  type SignalState,
} from "../../agent/signal/index.ts";
import { project } from "../../agent/source/project.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import { kustomization as simKustomization, type KustomizationOptions } from "../../agent/sim/flux/objects.ts";
import { failedRun, successfulRun } from "../../agent/sim/flux/controller.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";

const kustomization = (o: Partial<KustomizationOptions> = {}) => simKustomization({ name: "main", ...o });

const GRACE = 20_000;
const STUCK = 600_000;

const ref = (name: string): ObjectRef => ({ kind: "Kustomization", namespace: "flux-system", name });
// Evaluations come from real-shaped objects through the real status code, as in the agent.
const READY = evaluate(project(kustomization({ ready: "True" })));
const RECONCILING = evaluate(project(kustomization({ ready: "Unknown" })));
const FAILED = evaluate(project(kustomization({ ready: "False", reason: "BuildFailed", message: "kustomize build failed: accumulating resources" })));
const SUSPENDED = evaluate(project(kustomization({ suspend: true, ready: "True" })));
const TERMINATING = evaluate(project(kustomization({ deletionTimestamp: "2026-08-01T10:05:00Z", ready: "True" })));
const UNREADABLE: Evaluation = evaluate(project({ kind: "Kustomization", metadata: { name: "x", namespace: "y" }, status: { conditions: 1 } }));

/**
 * The signal's update path, one step at a time: observeList (the one path the agent and `fluxlight
 * status` feed objects through) and observeConnectivity, with decide() read after each step and
 * every change of signal recorded. It draws nothing and arms no timer: the agent's own loop (its
 * timer, its log lines) is tested through startAgent with a manual clock (agent-clock.test.ts).
 */
class Feed {
  state: SignalState;
  log: { at: number; from: Signal | undefined; to: Signal; reasons: string[] }[] = [];
  now = 0;
  private last: Signal | undefined;
  constructor(options: Partial<SignalOptions> = {}) {
    this.state = createSignalState(options);
    this.read();
  }
  at(now: number): this {
    assert.ok(now >= this.now, "the fake clock never goes back");
    this.now = now;
    return this.read();
  }
  see(name: string, ev: Evaluation): this {
    this.state = observeList(this.state, [{ ref: ref(name), evaluation: ev }], [], this.now);
    return this.read();
  }
  gone(name: string): this {
    this.state = observeList(this.state, [], [ref(name)], this.now);
    return this.read();
  }
  api(c: Connectivity): this {
    this.state = observeConnectivity(this.state, c, this.now);
    return this.read();
  }
  private read(): this {
    const d = decide(this.state, this.now);
    if (d.signal !== this.last) this.log.push({ at: this.now, from: this.last, to: d.signal, reasons: d.causes.map((c) => c.reason) });
    this.last = d.signal;
    return this;
  }
  get signal(): Signal {
    return decide(this.state, this.now).signal;
  }
}

/** A synced feed whose objects are all already settled at t=0. */
function synced(objects: Record<string, Evaluation>, options: Partial<SignalOptions> = {}): Feed {
  const s = new Feed(options);
  for (const [name, ev] of Object.entries(objects)) s.see(name, ev);
  return s.api({ state: "synced" });
}

test("starting before the first complete list, even with objects seen", () => {
  const s = new Feed().see("main", READY);
  assert.equal(s.signal, "starting");
  assert.equal(decide(s.state, 0).summary, "waiting for the first complete list");
  s.api({ state: "synced" });
  assert.equal(s.signal, "ok");
  assert.deepEqual(s.log.map((l) => l.to), ["starting", "ok"]);
});

test("nothing counted after the first list → unknown, with the left-out objects as causes", () => {
  assert.equal(synced({}).signal, "unknown");
  const s = synced({ a: SUSPENDED, b: TERMINATING, c: UNREADABLE });
  const d = decide(s.state, 0);
  assert.equal(d.signal, "unknown");
  assert.deepEqual(d.causes.map((c) => [c.ref.name, c.verdict]), [["a", "suspended"], ["b", "terminating"], ["c", "unknown"]]);
});

test("suspended, terminating and unreadable objects are left out: the others decide", () => {
  assert.equal(synced({ a: READY, b: SUSPENDED, c: TERMINATING, d: UNREADABLE }).signal, "ok");
});

test("suspended counts as not ok (progressing, at once) only when asked", () => {
  const s = synced({ a: READY, b: SUSPENDED }, { countSuspended: true });
  const d = decide(s.state, 0);
  assert.equal(d.signal, "progressing");
  assert.deepEqual(d.causes.map((c) => c.reason), ["Suspended"]);
  assert.equal(d.nextWakeAt, undefined, "a suspended object never goes Stuck");
});

test("a routine reconcile (Ready Unknown, then True within the grace) changes nothing and logs nothing", () => {
  const s = synced({ main: READY });
  const before = s.log.length;
  s.at(1000).see("main", RECONCILING); // Flux patches status several times per run
  s.at(1400).see("main", RECONCILING);
  s.at(2100).see("main", RECONCILING);
  assert.equal(s.signal, "ok");
  assert.equal(decide(s.state, 2100).nextWakeAt, 1000 + GRACE, "the grace runs from the first progressing event");
  s.at(1000 + GRACE - 1).see("main", READY);
  assert.equal(s.signal, "ok");
  assert.equal(s.log.length, before);
  assert.equal(decide(s.state, s.now).nextWakeAt, undefined);
});

test("a reconcile longer than the grace shows progressing at exactly the grace, then ok", () => {
  const s = synced({ main: READY }).at(5000).see("main", RECONCILING);
  const d = decide(s.state, 5000);
  assert.equal(d.nextWakeAt, 5000 + GRACE);
  s.at(5000 + GRACE - 1);
  assert.equal(s.signal, "ok");
  s.at(d.nextWakeAt!);
  assert.equal(s.signal, "progressing");
  assert.deepEqual(decide(s.state, s.now).causes.map((c) => [c.ref.name, c.reason]), [["main", "Progressing"]]);
  assert.equal(decide(s.state, s.now).nextWakeAt, 5000 + STUCK, "next, the stuck deadline");
  s.at(40_000).see("main", READY);
  assert.deepEqual(s.log.slice(-2).map((l) => [l.at, l.to]), [[25_000, "progressing"], [40_000, "ok"]]);
});

test("progressing longer than stuckAfter, continuously → failed, reason Stuck", () => {
  const s = synced({ main: READY }).at(1000).see("main", RECONCILING);
  s.at(1000 + STUCK - 1).see("main", RECONCILING); // more progressing events do not restart the spell
  assert.equal(s.signal, "progressing");
  s.at(1000 + STUCK);
  const d = decide(s.state, s.now);
  assert.equal(d.signal, "failed");
  assert.equal(d.causes[0]!.reason, "Stuck");
  assert.equal(d.causes[0]!.verdict, "failed");
  assert.match(d.causes[0]!.message, /progressing for 10m, over the 10m limit: Progressing: Reconciliation in progress/);
  assert.equal(d.nextWakeAt, undefined);
});

test("the stuck clock restarts only when the object leaves progressing", () => {
  const s = synced({ main: READY }).at(0).see("main", RECONCILING);
  s.at(STUCK - 1000).see("main", READY).at(STUCK - 999).see("main", RECONCILING);
  s.at(STUCK + GRACE);
  assert.equal(s.signal, "progressing", "a new spell since STUCK - 999: past its grace, far from stuck");
});

test("failed → retry blip → failed stays failed, with no transition", () => {
  const s = synced({ main: FAILED });
  assert.equal(s.signal, "failed");
  const logged = s.log.length;
  for (let t = 1000; t < 600_000; t += 120_000) {
    s.at(t).see("main", RECONCILING); // False → Unknown …
    assert.equal(s.signal, "failed");
    const d = decide(s.state, s.now);
    assert.deepEqual(d.causes.map((c) => c.reason), ["BuildFailed"], "the cause is still the failure");
    s.at(t + 3000).see("main", FAILED); // … → False
  }
  assert.equal(s.log.length, logged);
});

test("a failed object stays failed while it retries, however long, until a run succeeds", () => {
  // With health checks a retry is Ready=Unknown for up to spec.timeout; the light must not swap
  // red → amber → red on every retry.
  const s = synced({ main: FAILED }).at(1000);
  const before = s.log.length;
  s.see("main", RECONCILING).at(1000 + GRACE);
  assert.equal(s.signal, "failed");
  s.at(1000 + 3 * 60_000);
  assert.equal(s.signal, "failed");
  assert.equal(decide(s.state, s.now).causes[0]!.reason, FAILED.reason);
  assert.equal(s.log.length, before, "no transition while it retries");
  s.see("main", READY);
  assert.equal(s.signal, "ok");
});

test("failed shows at once; any failed object beats progressing and ok", () => {
  const s = synced({ a: READY, b: READY }).at(1000).see("a", RECONCILING).at(30_000);
  assert.equal(s.signal, "progressing");
  s.see("b", FAILED);
  assert.equal(s.signal, "failed");
  assert.equal(s.log.at(-1)!.at, 30_000);
  assert.deepEqual(decide(s.state, s.now).causes.map((c) => c.ref.name), ["b"]);
});

test("an object deleted while progressing stops counting at once", () => {
  const s = synced({ a: READY, b: READY }).at(1000).see("b", RECONCILING).at(25_000);
  assert.equal(s.signal, "progressing");
  s.gone("b");
  assert.equal(s.signal, "ok");
  // Deleted within its grace: no wake-up left for it.
  s.see("a", RECONCILING).at(26_000).gone("a").see("c", READY);
  assert.equal(decide(s.state, s.now).nextWakeAt, undefined);
});

test("deleting the last object → unknown (nothing counted)", () => {
  const s = synced({ a: READY }).at(1000).gone("a");
  assert.equal(s.signal, "unknown");
});

test("a new object in its grace holds the previous signal, then shows progressing", () => {
  const s = synced({}); // unknown: nothing counted
  s.at(1000).see("new", evaluate(project(kustomization())));
  assert.equal(s.signal, "unknown", "held");
  assert.match(decide(s.state, s.now).summary, /holding unknown/);
  s.at(5000).see("new", RECONCILING);
  assert.equal(s.signal, "unknown", "still the same spell");
  s.at(1000 + GRACE);
  assert.equal(s.signal, "progressing");
});

test("at start-up, objects caught mid-reconcile hold `starting` until the grace, not `unknown`", () => {
  const s = new Feed().see("a", RECONCILING).api({ state: "synced" });
  assert.equal(s.signal, "starting");
  s.at(GRACE - 1).see("a", READY);
  assert.equal(s.signal, "ok");
  assert.deepEqual(s.log.map((l) => l.to), ["starting", "ok"]);
});

test("a new object in its grace does not hold back ok when the others are ready", () => {
  const s = synced({ a: READY }).at(1000).see("b", RECONCILING);
  assert.equal(s.signal, "ok");
});

test("connectivity lost for less than the grace is held; longer → unknown at exactly since + grace", () => {
  const s = synced({ a: READY }).at(10_000).api({ state: "unreachable", since: 9000, error: "connect ECONNREFUSED" });
  const d = decide(s.state, s.now);
  assert.equal(d.signal, "ok");
  assert.equal(d.nextWakeAt, 9000 + GRACE);
  s.at(9000 + GRACE - 1);
  assert.equal(s.signal, "ok");
  s.api({ state: "synced" });
  assert.equal(s.signal, "ok");
  assert.equal(decide(s.state, s.now).nextWakeAt, undefined);

  s.at(40_000).api({ state: "unreachable", since: 40_000, error: "connect ECONNREFUSED" }).at(40_000 + GRACE);
  const lost = decide(s.state, s.now);
  assert.equal(lost.signal, "unknown");
  assert.equal(lost.summary, "API unreachable for 20s: connect ECONNREFUSED");
  s.at(70_000).api({ state: "listing" }); // reconnected, relisting: the last view stands
  assert.equal(s.signal, "ok");
  assert.deepEqual(s.log.slice(-2).map((l) => [l.at, l.to]), [[60_000, "unknown"], [70_000, "ok"]]);
});

test("unreachable before the first list: starting, then unknown after the grace", () => {
  const s = new Feed().at(1000).api({ state: "unreachable", since: 1000, error: "getaddrinfo ENOTFOUND" });
  assert.equal(s.signal, "starting");
  assert.equal(decide(s.state, s.now).nextWakeAt, 1000 + GRACE);
  s.at(1000 + GRACE);
  assert.equal(s.signal, "unknown");
});

test("forbidden and missing CRDs → unknown at once, even before the first list", () => {
  const s = new Feed().api({ state: "denied", error: "403 list kustomizations", fix: "grant get/list/watch" });
  assert.equal(s.signal, "unknown");
  assert.equal(decide(s.state, 0).summary, "access denied: 403 list kustomizations (grant get/list/watch)");
  const t = synced({ a: FAILED }).at(5).api({ state: "missing-crd", error: "404", fix: "install Flux" });
  assert.equal(t.signal, "unknown", "no view of the cluster beats a stale failure");
  assert.equal(t.log.at(-1)!.at, 5);
});

test("nextWakeAt is the earliest pending deadline", () => {
  const s = synced({ a: READY, b: READY, c: READY })
    .at(1000).see("a", RECONCILING)
    .at(2000).see("b", RECONCILING)
    .at(25_000);
  // a is past its grace (stuck at 601 000), b too (602 000)
  assert.equal(decide(s.state, s.now).nextWakeAt, 1000 + STUCK);
  s.see("c", RECONCILING); // grace ends at 45 000
  assert.equal(decide(s.state, s.now).nextWakeAt, 25_000 + GRACE);
  s.api({ state: "unreachable", since: 24_000, error: "EOF" });
  assert.equal(decide(s.state, s.now).nextWakeAt, 24_000 + GRACE);
});

test("transition: undefined when the signal stays, even if the causes change", () => {
  const s = synced({ a: FAILED, b: READY });
  const d1 = decide(s.state, 0);
  s.see("b", FAILED);
  const d2 = decide(s.state, 0);
  assert.equal(d2.causes.length, 2);
  assert.equal(transition(d1.signal, d2), undefined);
  assert.deepEqual(transition("ok", d2)?.causes.map((c) => c.ref.name), ["a", "b"]);
  assert.equal(transition(undefined, d2)?.from, undefined);
});

test("the state is never mutated", () => {
  const s0 = createSignalState();
  const s1 = observeObject(s0, ref("a"), READY, 0);
  assert.equal(s0.objects.size, 0);
  const s2 = observeConnectivity(s1, { state: "synced" }, 0);
  assert.equal(s1.listed, false);
  assert.equal(decide(s2, 0).signal, "ok");
});

test("options: stuckAfter must exceed progressGrace", () => {
  assert.throws(() => createSignalState({ progressGrace: 10_000, stuckAfter: 10_000 }), RangeError);
});

/** Plays one controller run's status writes (as a watcher sees them) `gap` ms apart; returns the end time. */
function play(s: Feed, obj: JsonObject, statuses: JsonObject[], start: number, gap: number): number {
  let t = start;
  for (const status of statuses) {
    s.at(t).see("main", evaluate(project({ ...obj, status })));
    t += gap;
  }
  return t - gap;
}

test("the simulator's healthy run (4-6 MODIFIED events) never touches the light", () => {
  const obj = kustomization({ ready: "True", wait: true });
  const steps = successfulRun(obj, "latest@sha256:feed");
  assert.ok(steps.length >= 4);
  const s = synced({ main: READY });
  const logged = s.log.length;
  // 3.9 s for the whole run: well inside the grace.
  const end = play(s, obj, steps, 1000, 3900 / (steps.length - 1));
  assert.equal(s.signal, "ok");
  assert.equal(s.log.length, logged);
  assert.equal(decide(s.state, end).nextWakeAt, undefined);
});

test("the simulator's failing retries keep the light red without a single transition", () => {
  let obj = kustomization({ ready: "False", reason: "HealthCheckFailed", message: "health check failed after 3m0s" });
  // A healthy peer, so that only the failed object's own hold can keep the light red.
  const s = synced({ main: evaluate(project(obj)), peer: READY });
  assert.equal(s.signal, "failed");
  const logged = s.log.length;
  for (let t = 120_000; t < 1_200_000; t += 120_000) {
    const steps = failedRun(obj, "latest@sha256:feed", "HealthCheckFailed", "health check failed after 3m0s");
    play(s, obj, steps, t, 2000);
    obj = { ...obj, status: steps.at(-1)! };
    assert.equal(s.signal, "failed");
  }
  assert.equal(s.log.length, logged);
  assert.deepEqual(decide(s.state, s.now).causes.map((c) => c.reason), ["HealthCheckFailed"]);
});

test("an object first seen mid-spell counts from Flux's lastTransitionTime: an agent restart resets neither grace nor stuck", () => {
  const s = new Feed();
  s.api({ state: "synced" }).at(3_600_000);
  // Ready went Unknown 30 s before the agent first saw it: past the 20 s grace already.
  s.see("a", { ...RECONCILING, since: 3_600_000 - 30_000 });
  assert.equal(s.signal, "progressing");
  // Another has been progressing for 11 minutes: stuck, at once.
  s.see("b", { ...RECONCILING, since: 3_600_000 - 11 * 60_000 });
  assert.equal(s.signal, "failed");
  assert.equal(decide(s.state, s.now).causes[0]!.reason, "Stuck");
  // A clock ahead of ours (skew) never dates a spell into the future.
  const t = new Feed();
  t.api({ state: "synced" }).at(1000);
  t.see("c", { ...RECONCILING, since: 999_999 });
  t.at(1000 + 19_999);
  assert.notEqual(t.signal, "progressing", "still inside the grace, counted from when we saw it");
});

test("start-up: a ready peer does not turn the light green while an object seen at start is still in its grace", () => {
  const s = new Feed().see("a", READY).see("b", RECONCILING).api({ state: "synced" });
  assert.equal(s.signal, "starting");
  assert.match(decide(s.state, 0).summary, /1 of 2 objects seen at start still settling/);
  assert.equal(decide(s.state, 0).nextWakeAt, GRACE);
  s.at(GRACE);
  assert.equal(s.signal, "progressing", "the grace spent: the normal rules apply");
  const t = new Feed().see("a", READY).see("b", RECONCILING).api({ state: "synced" }).at(5000).see("b", READY);
  assert.equal(t.signal, "ok", "settled: the normal rules apply");
  // A new object after start-up is not a start-up object: ok is not held back.
  t.at(6000).see("c", RECONCILING);
  assert.equal(t.signal, "ok");
});

test("start-up: an object already failed shows red at once, whatever else is still settling", () => {
  const s = new Feed().see("a", FAILED).see("b", RECONCILING).api({ state: "synced" });
  assert.equal(s.signal, "failed");
  assert.deepEqual(s.log.map((l) => l.to), ["starting", "failed"]);
});

test("start-up: a spell that began long before the agent (Flux's lastTransitionTime) has spent its grace already", () => {
  const s = new Feed().at(100_000).see("a", READY).see("b", { ...RECONCILING, since: 100_000 - GRACE }).api({ state: "synced" });
  assert.equal(s.signal, "progressing");
});
