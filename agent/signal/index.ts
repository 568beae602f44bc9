// The signal: every object's verdict + the source's connectivity → the ONE thing the light shows
// (docs/design.md, "Signals"). Pure: plain values in and out, the clock passed in as `now` (ms).
//
// Contract for the shell
//   let state = createSignalState({ progressGrace, stuckAfter });      // once
//   state = observeObject(state, ref, evaluate(view), now);          // list item, ADDED, MODIFIED
//   state = forgetObject(state, ref, now);                           // DELETED
//   state = observeList(state, listed, gone, now);                   // a complete list, as one event
//   state = observeConnectivity(state, connectivity, now);           // whenever the source's view changes
//   state = observeControllers(state, down, now);                    // the Flux controllers not running (status/controllers.ts)
//   const d = decide(state, now);   // after every event AND when the timer for d.nextWakeAt fires
//   const t = transition(shown, d); if (t) { log(t); draw(t.to); shown = t.to; }
//   re-arm ONE timer for d.nextWakeAt (clear it when absent).
// - `now` must never go backwards and must be the clock `Connectivity.unreachable.since` uses.
// - Every function returns a new state; none keeps a reference to the caller's objects except
//   the Evaluation, which must not be mutated afterwards.
// - Between events the signal changes only at nextWakeAt (a grace or stuck deadline). Waking
//   then may find the same signal (a deadline can change the causes only); transition() says so.
//
// Rules, worst first (each decision's reason is in decide.ts):
//   unknown     forbidden / missing CRDs (at once, even before the first list); API unreachable
//               for ≥ progressGrace; after the first list, no counted object at all.
//   starting    before the first complete list (connectivity `synced` once), and after it while
//               an object seen at start has neither settled (ready, failed) nor spent its grace.
//   failed      a Flux controller of a watched kind not running for ≥ progressGrace, or
//               a counted object failed, or progressing ≥ stuckAfter continuously (reason Stuck),
//               or failed just before its current progressing spell (a retry stays red until it succeeds).
//   progressing a counted object progressing ≥ progressGrace (or suspended, if counted).
//   ok          all counted objects ready, or ready just before a spell still within its grace.
//   (held)      only brand-new objects, all within their grace: the signal in effect before the
//               latest event stays.
// Counted: verdicts failed, progressing, ready (+ suspended with countSuspended). Unknown
// (unreadable) and terminating objects are left out; they appear as causes of `unknown` only.
// A progressing spell starts when the object is first seen progressing and lasts, across any
// number of progressing events, until it is seen with another verdict or forgotten.

export { createSignalState, observeObject, observeList, forgetObject, observeConnectivity, observeControllers, DEFAULT_SIGNAL_OPTIONS } from "./state.ts";
export type { SignalOptions, SignalState, Tracked, ControllerDown } from "./state.ts";
export { decide } from "./decide.ts";
export type { Cause, Decision } from "./decide.ts";
export { transition } from "./transition.ts";
export type { Transition } from "./transition.ts";
export { formatDuration } from "../shared/duration.ts";
