// One connected board's dead-man's switch (fluxlight firmware only): arm it, confirm it took,
// keep it fed, and ask now and then whether the board drew host lost meanwhile, so that the
// light is drawn again. The bytes are ./deadman.ts's; the timers are the injected clock's.
import type { HostLostLook } from "../light/looks.ts";
import type { LedSpec } from "../light/led-spec.ts";
import type { Log } from "../log/logger.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { configureMessage, hasDeadman, parseQueryReply, HEARTBEAT, QUERY, type DeadmanState } from "./deadman.ts";

/** What the session needs of firmata-io's Firmata. */
export interface SysexIo {
  firmware?: { name?: string };
  sysexCommand(bytes: number[]): unknown;
  sysexResponse(id: number, handler: (data: number[]) => void): unknown;
  clearSysexResponse(id: number): unknown;
}

export interface DeadmanOptions {
  /** Every LED on the board: the switch covers all their pins. */
  leds: readonly LedSpec[];
  hostLost: HostLostLook;
  timeoutMs: number;
  clock: Clock;
  log: Log;
  /** The board drew host lost and left the LEDs dark: draw the lights again. */
  redraw(): void;
  /** The signal shown (each light's, when several), for the log line. */
  showing(): string;
}

const CONFIRM_WITHIN_MS = 2000;

export class DeadmanSession {
  private timer: TimerHandle | undefined;
  private ended = false;

  constructor(
    private readonly io: SysexIo,
    private readonly opts: DeadmanOptions,
  ) {}

  /** With fluxlight's firmware: arm, confirm, then feed. Any other firmware: false (say so once, in the caller). */
  async start(): Promise<boolean> {
    if (!hasDeadman(this.io.firmware?.name)) return false;
    const { timeoutMs, log } = this.opts;
    this.io.sysexCommand(configureMessage(this.opts.leds, timeoutMs, this.opts.hostLost));
    const state = await this.query(CONFIRM_WITHIN_MS);
    if (this.ended) return true;
    if (!state || state.timeoutMs !== timeoutMs) {
      log.warn({ event: "deadman-unconfirmed", firmware: this.io.firmware?.name, reply: state ?? null }, "the board did not confirm the dead-man's switch configuration; if the agent dies, the LED may keep its last colour");
    } else if (timeoutMs === 0) {
      log.info({ event: "deadman-disarmed" }, "dead-man's switch disarmed (--heartbeat-timeout 0): if the agent dies, the LED keeps its last colour");
      return true;
    } else {
      const episodes = state.episodes ? ` (it did so ${state.episodes} time${state.episodes === 1 ? "" : "s"} since power-on)` : "";
      const watchdog = state.watchdogReset ? "; the board last started after its watchdog reset it (its firmware had hung)" : "";
      log.info(
        { event: "deadman-armed", heartbeatTimeoutMs: timeoutMs, hostLostEpisodes: state.episodes, watchdogReset: state.watchdogReset },
        `dead-man's switch armed: the board draws host lost after ${timeoutMs / 1000}s without the agent${episodes}${watchdog}`,
      );
    }
    this.feed();
    return true;
  }

  stop(): void {
    this.ended = true;
    this.opts.clock.clear(this.timer);
  }

  /**
   * Four heartbeats per timeout, so that one late timer never trips it. The board ends host lost
   * at our next byte and leaves the LED dark; an agent that was alive but silent (its event loop
   * stalled, the container starved of CPU or frozen) does not know it happened unless it asks:
   * so every fourth beat is a QUERY, and so is a beat that comes late enough for the board to have given up.
   */
  private feed(): void {
    const { clock, timeoutMs } = this.opts;
    const everyMs = Math.max(250, Math.floor(timeoutMs / 4));
    let last = clock.now();
    let beats = 0;
    const beat = () => {
      if (this.ended) return;
      const late = clock.now() - last >= timeoutMs * 0.9;
      last = clock.now();
      beats += 1;
      if (late || beats % 4 === 0) void this.askHostLost();
      else this.io.sysexCommand([HEARTBEAT]);
      this.timer = clock.set(beat, everyMs);
    };
    this.timer = clock.set(beat, everyMs);
  }

  /** QUERY (a byte of life too); if the board drew host lost since the last one, draw the light again. */
  private async askHostLost(): Promise<void> {
    const state = await this.query(undefined);
    if (this.ended || !state?.wasLost) return;
    this.opts.log.warn(
      { event: "host-lost-seen", heartbeatTimeoutMs: this.opts.timeoutMs, hostLostEpisodes: state.episodes, signal: this.opts.showing() },
      `the board drew host lost: it heard nothing from the agent for ${this.opts.timeoutMs / 1000}s (the agent stalled or was starved of CPU); showing ${this.opts.showing()} again`,
    );
    this.opts.redraw();
  }

  /** One QUERY and its reply; `withinMs` undefined: wait as long as it takes (a later query replaces it). */
  private query(withinMs: number | undefined): Promise<DeadmanState | undefined> {
    return new Promise((resolve) => {
      const t = withinMs === undefined ? undefined : this.opts.clock.set(() => resolve(undefined), withinMs);
      this.io.clearSysexResponse(QUERY);
      this.io.sysexResponse(QUERY, (data) => {
        this.opts.clock.clear(t);
        resolve(parseQueryReply(data));
      });
      this.io.sysexCommand([QUERY]);
    });
  }
}
