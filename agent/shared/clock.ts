// Time, passed in: every part that waits or stamps takes a Clock, so that a test can drive the
// agent's and the board link's timers by hand (test/helpers/clock.ts) instead of waiting.

/** An armed timer; only good for clear(). */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** ms since the epoch; never goes backwards within one run. */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  set(fn: () => void, ms: number): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
