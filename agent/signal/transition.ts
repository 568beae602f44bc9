// Whether a fresh decision changes what the light shows — so the shell redraws and logs
// exactly once per change, not once per Flux status patch.

import type { Signal } from "../model.ts";
import type { Cause, Decision } from "./decide.ts";

export interface Transition {
  /** Undefined for the very first decision. */
  from: Signal | undefined;
  to: Signal;
  summary: string;
  causes: Cause[];
}

/**
 * The transition from `shown` (the signal the light shows now, undefined before the first
 * draw) to `decision`, or undefined when the signal stays. Only the signal counts: a new cause
 * behind the same signal (a second object failing) is not a transition.
 */
export function transition(shown: Signal | undefined, decision: Decision): Transition | undefined {
  if (shown === decision.signal) return undefined;
  return { from: shown, to: decision.signal, summary: decision.summary, causes: decision.causes };
}
