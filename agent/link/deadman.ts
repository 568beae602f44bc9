// fluxlight firmware's dead-man's switch (firmware/README.md, "fluxlight sysex messages"):
// the bytes that arm it, feed it and ask what is in force. Pure encoding and decoding.
import type { LedSpec } from "../light/led-spec.ts";
import type { HostLostChannel, HostLostLook } from "../light/looks.ts";

export const CONFIGURE = 0x01;
export const HEARTBEAT = 0x02;
export const QUERY = 0x03;

const PATTERNS: Record<HostLostChannel["pattern"], number> = { off: 0, solid: 1, blink: 2, pulse: 3 };

/** Is this the firmware that has the switch? firmata-io reports the name as the board sent it. */
export function hasDeadman(firmwareName: string | undefined): boolean {
  return /^fluxlight\b/.test(firmwareName ?? "");
}

/** The firmware's timeout field: three 7-bit bytes (firmware/README.md, CONFIGURE), so at most 2 097 151 ms (34m57.151s). */
export const MAX_HEARTBEAT_TIMEOUT_MS = 2 ** 21 - 1;

const seven = (n: number, groups: number) => Array.from({ length: groups }, (_, i) => (n >> (7 * i)) & 0x7f);

/** CONFIGURE's data bytes (after the ID): the timeout, then how each LED pin draws host lost. */
export function configureMessage(spec: LedSpec, timeoutMs: number, look: HostLostLook): number[] {
  // Wider values would wrap (35m arming 2.8 s); the command line refuses them first.
  if (!(timeoutMs >= 0 && timeoutMs <= MAX_HEARTBEAT_TIMEOUT_MS)) throw new RangeError(`heartbeat timeout ${timeoutMs} ms is outside 0..${MAX_HEARTBEAT_TIMEOUT_MS}`);
  const entries: [number, HostLostChannel][] =
    spec.kind === "single"
      ? [[spec.pin, look.single]]
      : spec.kind === "traffic"
        ? [
            [spec.pins.red, look.traffic.red],
            [spec.pins.yellow, look.traffic.yellow],
            [spec.pins.green, look.traffic.green],
          ]
        : [
            [spec.pins.red, look.channels.red],
            [spec.pins.green, look.channels.green],
            [spec.pins.blue, look.channels.blue],
          ];
  const anode = spec.kind === "rgb" && spec.anode ? 1 : 0;
  const bytes = [CONFIGURE, ...seven(timeoutMs, 3)];
  for (const [pin, ch] of entries) bytes.push(pin, PATTERNS[ch.pattern], ...seven(ch.periodMs, 2), ...seven(ch.level, 2), anode);
  return bytes;
}

export interface DeadmanState {
  armed: boolean;
  timeoutMs: number;
  /** The host-lost pattern was drawn since the previous query (the agent was silent too long). */
  wasLost: boolean;
  persisted: boolean;
  /** Host-lost episodes since the board powered on. */
  episodes: number;
  /** The board's firmware is running since its watchdog reset it: it had hung (firmware ≥ 0.2). */
  watchdogReset: boolean;
}

/** QUERY's reply data (after the ID), as firmata-io hands it over (7-bit bytes). */
export function parseQueryReply(data: number[]): DeadmanState | undefined {
  if (data.length < 6) return undefined;
  const [flags, t0, t1, t2, c0, c1] = data as [number, number, number, number, number, number];
  return {
    armed: (flags & 1) !== 0,
    wasLost: (flags & 2) !== 0,
    persisted: (flags & 4) !== 0,
    watchdogReset: (flags & 8) !== 0,
    timeoutMs: t0 + t1 * 128 + t2 * 16384,
    episodes: c0 + c1 * 128,
  };
}
