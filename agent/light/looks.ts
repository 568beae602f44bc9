// What each signal looks like on each wiring (docs/design.md, "Signals and what the LED shows").
// Plain data, so that the light, the terminal drawing and the tests agree on one table.
import type { Signal } from "../model.ts";

export type Effect = "solid" | "blink" | "pulse" | "off";

export interface RgbLook {
  /** `#rrggbb` as a person picks colours; johnny-five scales it for the wiring. */
  color: string;
  effect: Effect;
  /** Blink: ms on and ms off. Pulse: ms of one fade in (or out). */
  periodMs?: number;
}

export interface SingleLook {
  effect: Exclude<Effect, "pulse">;
  periodMs?: number;
}

export const RGB_LOOKS: Record<Signal, RgbLook> = {
  unknown: { color: "#0000ff", effect: "blink", periodMs: 500 },
  failed: { color: "#ff0000", effect: "solid" },
  progressing: { color: "#ff6000", effect: "pulse", periodMs: 1000 },
  ok: { color: "#00ff00", effect: "solid" },
  starting: { color: "#0000ff", effect: "pulse", periodMs: 500 },
};

export const SINGLE_LOOKS: Record<Signal, SingleLook> = {
  unknown: { effect: "blink", periodMs: 1000 },
  failed: { effect: "solid" },
  progressing: { effect: "off" },
  ok: { effect: "off" },
  starting: { effect: "blink", periodMs: 150 },
};

/** One lamp of a traffic-light module (`--led traffic:R,Y,G`). */
export type TrafficLamp = "red" | "yellow" | "green";

/**
 * A traffic module's look: the frames it steps through, each the set of lamps lit, one frame per
 * `stepMs` (one frame: steady). Green is lit for `ok` and nothing else, so no pattern that means
 * "not sure" or "not yet" can be read as ok at a glance.
 */
export interface TrafficLook {
  frames: TrafficLamp[][];
  stepMs?: number;
}

export const TRAFFIC_LOOKS: Record<Signal, TrafficLook> = {
  // Red and yellow taking turns, a second each: neither "stop" nor "busy", the light knows nothing.
  unknown: { frames: [["red"], ["yellow"]], stepMs: 1000 },
  failed: { frames: [["red"]] },
  progressing: { frames: [["yellow"], []], stepMs: 500 },
  ok: { frames: [["green"]] },
  // Red and yellow flickering together, as fast as the single LED's `starting`: not yet a verdict.
  starting: { frames: [["red", "yellow"], []], stepMs: 150 },
};

/**
 * What fluxlight's firmware draws by itself when the agent falls silent ("host lost"), so that
 * a dead agent never leaves a colour behind. On RGB it is its own colour, magenta, pulsing, so
 * that a person can tell a dead agent from an unreachable cluster (blue); a single LED has too
 * few looks and shows what `unknown` shows: the light knows nothing. A traffic module blinks red
 * and yellow together, never green.
 */
export interface HostLostLook {
  /** Per colour channel (RGB) or the one pin (single): how the firmware draws it. */
  channels: { red: HostLostChannel; green: HostLostChannel; blue: HostLostChannel };
  single: HostLostChannel;
  /** A traffic module: red and yellow blinking together, slowly; green held dark. */
  traffic: Record<TrafficLamp, HostLostChannel>;
}

export interface HostLostChannel {
  pattern: "off" | "solid" | "blink" | "pulse";
  periodMs: number;
  level: number; // 0..255
}

export const HOST_LOST: HostLostLook = {
  channels: {
    red: { pattern: "pulse", periodMs: 2000, level: 255 },
    green: { pattern: "off", periodMs: 0, level: 0 },
    blue: { pattern: "pulse", periodMs: 2000, level: 255 },
  },
  single: { pattern: "blink", periodMs: SINGLE_LOOKS.unknown.periodMs! * 2, level: 255 },
  // The firmware's blinks all start when host lost does, so red and yellow blink in step: one
  // second both lit, one second both dark. Unlike unknown (taking turns) and starting (fast).
  traffic: {
    red: { pattern: "blink", periodMs: 2000, level: 255 },
    yellow: { pattern: "blink", periodMs: 2000, level: 255 },
    green: { pattern: "off", periodMs: 0, level: 0 },
  },
};
