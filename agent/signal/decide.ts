// All tracked objects + connectivity → the one signal, at a given instant.
// The contract for callers is in ./index.ts; each rule's reason is beside it.
import { refKey, type Evaluation, type ObjectRef, type Signal, type Verdict } from "../model.ts";
import { formatDuration } from "../shared/duration.ts";
import { blindness, type Blindness } from "./blind.ts";
import type { SignalState, Tracked } from "./state.ts";

/** One object that makes the signal what it is, in the words the log line will use. */
export interface Cause {
  ref: ObjectRef;
  verdict: Verdict;
  reason: string;
  message: string;
}

export interface Decision {
  signal: Signal;
  /** One human line on why, e.g. "1 of 3 objects failed" or "API unreachable for 25s: ECONNREFUSED". */
  summary: string;
  /** The objects behind the signal, sorted by kind/namespace/name. Empty for `ok` and `starting`. */
  causes: Cause[];
  /** The earliest instant the decision could change with no new event; absent when nothing is pending. */
  nextWakeAt?: number;
}

export function decide(state: SignalState, now: number): Decision {
  const { progressGrace } = state.options;
  const api = state.connectivity;
  const wake = new Wake(now);

  // Connectivity first: without a view of a cluster the objects we hold from it say nothing
  // current (./blind.ts). Denied access and missing CRDs show at once, even before the first list
  // (which is exactly when they are found out); an outage after the grace.
  const blind = blindness(api, now, progressGrace, (instant) => wake.at(instant));
  if (blind?.all) return { signal: "unknown", summary: blind.summary, causes: [] };
  if (blind) return withWake(partlyBlind(state, now, wake, blind), wake);
  // A relist after the first (`listing` again, e.g. after 410 Gone) keeps the objects we have:
  // they are the last complete view, and the light should not go back to `starting`.
  if (!state.listed) {
    return withWake({ signal: "starting", summary: "waiting for the first complete list", causes: [] }, wake);
  }

  const { failed, progressing, leftOut, settled, waiting, unsettledAtStart } = tally(state, now, wake);
  const counted = settled + waiting;
  if (counted === 0) {
    // "Nothing matched": no Kustomization at all is not "all is well". The left-out objects
    // (unreadable, terminating, suspended) are the causes, so the log says why.
    const summary = state.objects.size === 0 ? "no Flux objects found" : `no counted Flux objects (${leftOut.length} left out)`;
    return withWake({ signal: "unknown", summary, causes: byRef(leftOut) }, wake);
  }
  const of = `of ${counted} object${counted === 1 ? "" : "s"}`;
  const stopped = controllersStopped(state, now, wake);
  if (failed.length + stopped.length > 0) return withWake(failure(stopped, failed, of), wake);
  if (unsettledAtStart > 0) {
    // Start-up tells no story it has not seen: green now could be a failure a second away.
    return withWake({ signal: "starting", summary: `${unsettledAtStart} ${of} seen at start still settling (in the progress grace)`, causes: [] }, wake);
  }
  if (progressing.length > 0) {
    return withWake({ signal: "progressing", summary: `${progressing.length} ${of} progressing`, causes: byRef(progressing) }, wake);
  }
  if (settled > 0) {
    // New objects still in their grace do not hold back `ok`: the rest are all ready, and a new
    // object that stays progressing shows once its grace is over.
    const pending = waiting ? `, ${waiting} new in the progress grace` : "";
    return withWake({ signal: "ok", summary: `${settled} ${of} ready${pending}`, causes: [] }, wake);
  }
  // Only new objects, all in their grace (typically right after start-up, mid-reconcile):
  // hold whatever the light showed before the latest event.
  return withWake({ signal: state.held, summary: `holding ${state.held}: ${waiting} ${of} in the progress grace`, causes: [] }, wake);
}

/**
 * Some clusters are not seen: never green on a cluster nobody can see, but a failure known in a
 * cluster that is seen (an object, or a controller not running) is still a failure.
 */
function partlyBlind(state: SignalState, now: number, wake: Wake, blind: Blindness): Decision {
  const { failed, settled, waiting } = tally(state, now, wake, blind.seen);
  const stopped = controllersStopped(state, now, wake).filter((c) => blind.seen(c.ref));
  if (failed.length + stopped.length === 0) return { signal: "unknown", summary: blind.summary, causes: [] };
  const decision = failure(stopped, failed, `of ${settled + waiting} object${settled + waiting === 1 ? "" : "s"} seen`);
  return { ...decision, summary: `${decision.summary}; ${blind.summary}` };
}

/** Every object's share of the decision, in one pass (`seen`: only the objects of clusters that are seen). */
function tally(state: SignalState, now: number, wake: Wake, seen?: (ref: ObjectRef) => boolean) {
  const { countSuspended } = state.options;
  const failed: Cause[] = [];
  const progressing: Cause[] = [];
  const leftOut: Cause[] = [];
  let settled = 0; // counted objects whose state shows now (everything but new objects in their grace)
  let waiting = 0; // counted objects in their grace with nothing settled to show meanwhile
  let unsettledAtStart = 0; // of those, the ones seen at start: the light has not seen their story yet
  // Unsorted: only the causes are sorted, at the end (a decision is O(n), not O(n log n)).
  for (const tracked of state.objects.values()) {
    if (seen && !seen(tracked.ref)) continue;
    const ev = tracked.evaluation;
    switch (ev.verdict) {
      case "unknown":
      case "terminating":
        leftOut.push(cause(tracked.ref, ev));
        break;
      case "suspended":
        // Counted suspended objects read "not converging": amber, never Stuck (it is deliberate).
        if (countSuspended) {
          progressing.push(cause(tracked.ref, ev));
          settled++;
        } else {
          leftOut.push(cause(tracked.ref, ev));
        }
        break;
      case "ready":
        settled++;
        break;
      case "failed":
        failed.push(cause(tracked.ref, ev));
        settled++;
        break;
      case "progressing": {
        const share = spell(tracked, now, state.options, wake);
        if (share.failed) failed.push(share.failed);
        if (share.progressing) progressing.push(share.progressing);
        if (share.shows) settled++;
        else {
          waiting++;
          if (tracked.atStart) unsettledAtStart++;
        }
        break;
      }
    }
  }

  return { failed, progressing, leftOut, settled, waiting, unsettledAtStart };
}

/**
 * A progressing object's share: what it shows (a cause, or the settled verdict it had before the
 * spell) or, in its grace with nothing settled to show, nothing yet (`shows` false).
 */
function spell(tracked: Tracked, now: number, options: SignalState["options"], wake: Wake): { shows: boolean; failed?: Cause; progressing?: Cause } {
  const { progressGrace, stuckAfter } = options;
  const ev = tracked.evaluation;
  const since = tracked.progressingSince ?? now;
  const age = now - since;
  if (tracked.before?.verdict === "failed") {
    // A failing object's retry (False → Unknown → False, and with health checks Unknown for
    // up to spec.timeout) is still the failure until a run succeeds: the light stays red
    // rather than swapping red → amber → red on every retry.
    return { shows: true, failed: cause(tracked.ref, tracked.before) };
  }
  if (age >= stuckAfter) {
    // A controller that is down never moves its objects out of progressing.
    const message = `progressing for ${formatDuration(age)}, over the ${formatDuration(stuckAfter)} limit: ${ev.reason}: ${ev.message}`;
    return { shows: true, failed: { ref: tracked.ref, verdict: "failed", reason: "Stuck", message } };
  }
  if (age >= progressGrace) {
    wake.at(since + stuckAfter);
    return { shows: true, progressing: cause(tracked.ref, ev) };
  }
  // Within the grace the object still shows as what it was before the spell: a healthy
  // object's routine reconcile keeps it green (a failing one's retry keeps it red, above).
  wake.at(since + progressGrace);
  return { shows: tracked.before?.verdict === "ready" };
}

/** A dead controller reconciles nothing (its objects may read Ready=True forever): down for the grace, it is a failure; until then it wakes the decision. */
function controllersStopped(state: SignalState, now: number, wake: Wake): Cause[] {
  const grace = state.options.progressGrace;
  for (const c of state.controllersDown) if (now - c.since < grace) wake.at(c.since + grace);
  return state.controllersDown.filter((c) => now - c.since >= grace).map((c) => ({ ref: { kind: "Deployment", namespace: c.namespace, name: c.name, ...(c.cluster === undefined ? {} : { cluster: c.cluster }) }, verdict: "failed", reason: "ControllerNotRunning", message: c.message }));
}

/** `failed`: stopped controllers first (they explain the rest), then failed objects. */
function failure(stopped: Cause[], failed: Cause[], of: string): Decision {
  const objects = failed.length ? `${failed.length} ${of} failed` : "";
  const summary = stopped.length ? `${stopped.map((c) => c.ref.name + (c.ref.cluster === undefined ? "" : ` of ${c.ref.cluster}`)).join(", ")} not running${objects ? `; ${objects}` : ""}` : objects;
  return { signal: "failed", summary, causes: [...stopped, ...byRef(failed)] };
}

function cause(ref: ObjectRef, ev: Evaluation): Cause {
  return { ref, verdict: ev.verdict, reason: ev.reason, message: ev.message };
}

function byRef(causes: Cause[]): Cause[] {
  return causes.sort((a, b) => (refKey(a.ref) < refKey(b.ref) ? -1 : refKey(a.ref) > refKey(b.ref) ? 1 : 0));
}

/** The earliest future deadline seen. */
class Wake {
  earliest: number | undefined;
  constructor(private readonly now: number) {}
  at(instant: number): void {
    if (instant > this.now && (this.earliest === undefined || instant < this.earliest)) this.earliest = instant;
  }
}

function withWake(decision: Decision, wake: Wake): Decision {
  if (wake.earliest !== undefined) decision.nextWakeAt = wake.earliest;
  return decision;
}
