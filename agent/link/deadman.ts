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

/**
 * How many pins the firmware's dead-man's switch draws host lost on (firmware/README.md,
 * CONFIGURE: 0..8 entries; more is ignored whole). Every pin of every light must be among them,
 * or a light the switch does not know would keep its colour when the agent dies: so the lights
 * file is refused past it (single: 1 pin, rgb and traffic: 3).
 */
export const DEADMAN_MAX_PINS = 8;

/** CONFIGURE's data bytes (after the ID): the timeout, then how each pin of each LED draws host lost. */
export function configureMessage(leds: LedSpec | readonly LedSpec[], timeoutMs: number, look: HostLostLook): number[] {
  // Wider values would wrap (35m arming 2.8 s); the command line refuses them first.
  if (!(timeoutMs >= 0 && timeoutMs <= MAX_HEARTBEAT_TIMEOUT_MS)) throw new RangeError(`heartbeat timeout ${timeoutMs} ms is outside 0..${MAX_HEARTBEAT_TIMEOUT_MS}`);
  const entries = (Array.isArray(leds) ? (leds as readonly LedSpec[]) : [leds as LedSpec]).flatMap((spec) => entriesOf(spec, look));
  // The firmware would ignore the whole message, leaving no light covered; the lights file refuses it first.
  if (entries.length > DEADMAN_MAX_PINS) throw new RangeError(`${entries.length} LED pins: the dead-man's switch holds at most ${DEADMAN_MAX_PINS}`);
  const bytes = [CONFIGURE, ...seven(timeoutMs, 3)];
  for (const [pin, ch, anode] of entries) bytes.push(pin, PATTERNS[ch.pattern], ...seven(ch.periodMs, 2), ...seven(ch.level, 2), anode);
  return bytes;
}

/** One LED's entries: its pins, how each draws host lost, and its dark level (1: common anode). */
function entriesOf(spec: LedSpec, look: HostLostLook): [number, HostLostChannel, number][] {
  if (spec.kind === "single") return [[spec.pin, look.single, 0]];
  if (spec.kind === "traffic") {
    return [
      [spec.pins.red, look.traffic.red, 0],
      [spec.pins.yellow, look.traffic.yellow, 0],
      [spec.pins.green, look.traffic.green, 0],
    ];
  }
  const anode = spec.anode ? 1 : 0;
  return [
    [spec.pins.red, look.channels.red, anode],
    [spec.pins.green, look.channels.green, anode],
    [spec.pins.blue, look.channels.blue, anode],
  ];
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
