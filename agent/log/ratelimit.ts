// One line per kind of fault, not one per faulty input: a neighbour sending a thousand bad
// requests, or a broken proxy a thousand bad watch lines, must not flood `kubectl logs` (or fill
// the node's disk). The first of each key is logged; repeats within the window are counted and
// the count is told with the next line that gets through.

export interface RateLimiter {
  /** Whether to log this one now, and how many of the same key were held back since the last. */
  admit(key: string): { log: boolean; suppressed: number };
}

/** `windowMs`: at most one line per key per window. Keys are a program's fixed categories, so the map stays small. */
export function rateLimiter(windowMs: number, now: () => number = Date.now): RateLimiter {
  const seen = new Map<string, { at: number; held: number }>();
  return {
    admit(key) {
      const t = now();
      const last = seen.get(key);
      if (last && t - last.at < windowMs) {
        last.held += 1;
        return { log: false, suppressed: 0 };
      }
      seen.set(key, { at: t, held: 0 });
      return { log: true, suppressed: last?.held ?? 0 };
    },
  };
}
