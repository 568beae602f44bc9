// A clock the test moves by hand, for startAgent's and the board link's timers (agent/shared/clock.ts).
import type { Clock, TimerHandle } from "../../agent/shared/clock.ts";

export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; handle: object }[] = [];
  constructor(private t = Date.UTC(2026, 6, 1, 12)) {}

  now(): number {
    return this.t;
  }

  set(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.push({ at: this.t + Math.max(0, ms), fn, handle });
    return handle;
  }

  clear(handle: TimerHandle | undefined): void {
    this.timers = this.timers.filter((x) => x.handle !== handle);
  }

  /** Moves the clock `ms` on, firing every timer that falls due, in order, each at its own instant. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
  }
}
