// What the signal remembers between events, and the three events that change it.
// The contract for callers is in ./index.ts.

import type { Connectivity, Evaluation, ObjectRef, Signal } from "../model.ts";
import { refKey } from "../model.ts";
import { decide } from "./decide.ts";

export interface SignalOptions {
  /** How long a progressing spell (or lost connectivity) is held before it shows. */
  progressGrace: number;
  /** How long an object may stay progressing, continuously, before it counts as failed (`Stuck`). */
  stuckAfter: number;
  /** Count suspended objects (as not ok: progressing) instead of leaving them out. */
  countSuspended: boolean;
}

export const DEFAULT_SIGNAL_OPTIONS: Readonly<SignalOptions> = Object.freeze({
  progressGrace: 20_000,
  stuckAfter: 600_000,
  countSuspended: false,
});

/** One watched object as the signal sees it. */
export interface Tracked {
  ref: ObjectRef;
  evaluation: Evaluation;
  /** Start of the current progressing spell; set exactly while `evaluation.verdict` is progressing. */
  progressingSince?: number;
  /**
   * The settled (ready or failed) evaluation the object had just before this progressing spell,
   * which it keeps showing as during the grace. Absent for a spell that started some other way
   * (a new object, or one coming back from suspended/unknown).
   */
  before?: Evaluation;
  /**
   * Seen before the first complete list and not settled since: until it settles (ready or failed)
   * or spends its grace, the light stays `starting` — it has not seen the story yet.
   */
  atStart?: boolean;
}

export interface SignalState {
  readonly options: Readonly<SignalOptions>;
  readonly objects: ReadonlyMap<string, Tracked>;
  readonly connectivity: Connectivity;
  /** Whether the source has ever completed a list: before that the light is `starting`. */
  readonly listed: boolean;
  /** The signal in effect just before the latest event: what the light holds while only new objects are in their grace. */
  readonly held: Signal;
  /** Flux controllers seen not running (that reconcile a watched kind), on the same clock as `now`. */
  readonly controllersDown: readonly ControllerDown[];
}

/** A Flux controller that is not running, since when, and the evidence in words. */
export interface ControllerDown {
  namespace: string;
  name: string;
  /** Its cluster's context name, once several clusters are watched. */
  cluster?: string;
  since: number;
  message: string;
}

export function createSignalState(options: Partial<SignalOptions> = {}): SignalState {
  const merged = { ...DEFAULT_SIGNAL_OPTIONS, ...options };
  if (!(merged.progressGrace >= 0) || !(merged.stuckAfter > merged.progressGrace)) {
    // A stuck limit inside the grace would turn routine blips red; config rejects it first.
    throw new RangeError(`stuckAfter (${merged.stuckAfter}) must exceed progressGrace (${merged.progressGrace}) ≥ 0`);
  }
  return {
    options: Object.freeze(merged),
    objects: new Map(),
    connectivity: { state: "listing" },
    listed: false,
    held: "starting",
    controllersDown: [],
  };
}

/** An object was listed, added or modified; `evaluation` is its current verdict. */
export function observeObject(state: SignalState, ref: ObjectRef, evaluation: Evaluation, now: number): SignalState {
  const key = refKey(ref);
  const objects = new Map(state.objects);
  objects.set(key, track(state.objects.get(key), ref, evaluation, now, state.listed));
  return { ...state, objects, held: decide(state, now).signal };
}

/**
 * A complete list as ONE event: `forget` the objects it no longer holds, observe the ones it
 * does. Same per-object rules as observeObject/forgetObject, but one copy and one decision for
 * the whole list — per item, a list of n objects cost n copies and n decisions (O(n² log n):
 * over a minute for 10,000 Kustomizations).
 */
export function observeList(state: SignalState, observed: readonly { ref: ObjectRef; evaluation: Evaluation }[], forget: readonly ObjectRef[], now: number): SignalState {
  const objects = new Map(state.objects);
  for (const ref of forget) objects.delete(refKey(ref));
  for (const { ref, evaluation } of observed) {
    const key = refKey(ref);
    objects.set(key, track(objects.get(key), ref, evaluation, now, state.listed));
  }
  return { ...state, objects, held: decide(state, now).signal };
}

function track(previous: Tracked | undefined, ref: ObjectRef, evaluation: Evaluation, now: number, listed: boolean): Tracked {
  const tracked: Tracked = { ref: ref.cluster === undefined ? { kind: ref.kind, namespace: ref.namespace, name: ref.name } : { kind: ref.kind, namespace: ref.namespace, name: ref.name, cluster: ref.cluster }, evaluation };
  // Until it settles, an object seen at start stays one (a list after the first does not make it so).
  if (previous ? previous.atStart && evaluation.verdict === "progressing" : !listed) tracked.atStart = true;
  if (evaluation.verdict === "progressing") {
    if (previous?.progressingSince !== undefined) {
      // Flux patches status 4-6 times per run; every one is the same continuous spell.
      tracked.progressingSince = previous.progressingSince;
      if (previous.before) tracked.before = previous.before;
    } else {
      // Seen for the first time already progressing (the agent just started, or relisted a new
      // object): Flux's lastTransitionTime says when the spell really began, so a restart of
      // the agent does not restart the grace or the stuck clock. Never later than now (skew).
      const began = previous === undefined && evaluation.since !== undefined ? evaluation.since : now;
      tracked.progressingSince = Math.min(now, began);
      const was = previous?.evaluation;
      if (was && (was.verdict === "ready" || was.verdict === "failed")) tracked.before = was;
    }
  }
  return tracked;
}

/** An object was deleted (or is no longer in a fresh list). Forgetting an unknown object is a no-op apart from the hold. */
export function forgetObject(state: SignalState, ref: ObjectRef, now: number): SignalState {
  const objects = new Map(state.objects);
  objects.delete(refKey(ref));
  return { ...state, objects, held: decide(state, now).signal };
}

/** The source's view of the cluster changed. `synced` once marks the first complete list. */
export function observeConnectivity(state: SignalState, connectivity: Connectivity, now: number): SignalState {
  return {
    ...state,
    connectivity,
    listed: state.listed || connectivity.state === "synced",
    held: decide(state, now).signal,
  };
}

/** The controllers not running now (the whole set: an empty list means all run, or none is known). */
export function observeControllers(state: SignalState, down: readonly ControllerDown[], now: number): SignalState {
  return { ...state, controllersDown: down, held: decide(state, now).signal };
}
