// Exponential backoff with full jitter, as client-go's reflector does, so that many agents
// restarted with their API server do not come back in lockstep.

export interface Backoff {
  /** The delay before the next attempt, in ms; grows with each call until `reset()`. */
  next(): number;
  reset(): void;
}

export function backoff(initialMs = 500, maxMs = 30_000, random: () => number = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      return backoffDelay(attempt++, initialMs, maxMs, random);
    },
    reset() {
      attempt = 0;
    },
  };
}

/** The wait before attempt `failures + 1`, as backoff() draws it, for callers that keep the count themselves. */
export function backoffDelay(failures: number, initialMs = 500, maxMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** failures);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
