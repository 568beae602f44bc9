// What each signal looks like on each wiring (design.md, "Signals and what the LED shows").
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

/**
 * What fluxlight's firmware draws by itself when the agent falls silent ("host lost"), so that
 * a dead agent never leaves a colour behind. On RGB it is its own colour, magenta, pulsing, so
 * that a person can tell a dead agent from an unreachable cluster (blue); a single LED has too
 * few looks and shows what `unknown` shows: the light knows nothing.
 */
export interface HostLostLook {
  /** Per colour channel (RGB) or the one pin (single): how the firmware draws it. */
  channels: { red: HostLostChannel; green: HostLostChannel; blue: HostLostChannel };
  single: HostLostChannel;
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
};
