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
