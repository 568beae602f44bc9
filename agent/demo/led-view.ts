// How the demo draws the emulated LED in a terminal: the pin levels read off the chip, turned
// into a colour a person can name. Pure.
import type { LedSpec } from "../light/led-spec.ts";

/** 0..1 per LED pin as the chip drives it (PWM duty, or the digital level). */
export type PinReader = (pin: number) => number;

export interface LedView {
  /** A colour a person would call it: off, red, green, blue, amber, … */
  name: string;
  /** 0..255 per channel as it looks (common-anode wiring already inverted). */
  rgb: [number, number, number];
  /** e.g. "9=100% 10=0% 11=0%" */
  pins: string;
  /** A traffic module: each lamp's colour as it looks, red, yellow, green (dark ones dim). */
  lamps?: [number, number, number][];
}

/** How a lit lamp of a traffic module looks. */
const TRAFFIC_COLOURS = { red: [255, 0, 0], yellow: [255, 190, 0], green: [0, 255, 0] } as const;

export function viewLed(spec: LedSpec, read: PinReader): LedView {
  if (spec.kind === "single") {
    const level = read(spec.pin);
    const v = Math.round(level * 255);
    return { name: level > 0.5 ? "on" : "off", rgb: [v, v, 0], pins: `${spec.pin}=${pct(level)}` };
  }
  if (spec.kind === "traffic") return viewTraffic(spec, read);
  const ch = (pin: number) => (spec.anode ? 1 - read(pin) : read(pin));
  const r = ch(spec.pins.red);
  const g = ch(spec.pins.green);
  const b = ch(spec.pins.blue);
  const pins = [spec.pins.red, spec.pins.green, spec.pins.blue].map((p) => `${p}=${pct(read(p))}`).join(" ");
  return { name: colourName(r, g, b), rgb: [r, g, b].map((x) => Math.round(x * 255)) as [number, number, number], pins };
}

/** A traffic module is named by the lamps lit: "green", "red+yellow", "off". */
function viewTraffic(spec: Extract<LedSpec, { kind: "traffic" }>, read: PinReader): LedView {
  const order = ["red", "yellow", "green"] as const;
  const levels = order.map((name) => read(spec.pins[name]));
  const lit = order.filter((_, i) => levels[i]! > 0.5);
  const lamps = order.map((name, i) => TRAFFIC_COLOURS[name].map((c) => Math.round(c * levels[i]!)) as [number, number, number]);
  const rgb = [0, 1, 2].map((c) => Math.max(...lamps.map((l) => l[c]!))) as [number, number, number];
  const pins = order.map((name, i) => `${spec.pins[name]}=${pct(levels[i]!)}`).join(" ");
  return { name: lit.length ? lit.join("+") : "off", rgb, pins, lamps };
}

/**
 * The story's colours (an RGB LED's: green, red, amber) as this wiring shows them: what the
 * demo reads off the pins when a scene shows what it should. Blinking looks (a traffic module's
 * yellow) read as their lit name at some instant of the blink.
 */
export function storyName(spec: LedSpec, colour: string): string {
  if (spec.kind === "rgb") return colour;
  if (spec.kind === "single") return colour === "red" ? "on" : "off";
  return colour === "amber" ? "yellow" : colour;
}

export function colourName(r: number, g: number, b: number): string {
  const max = Math.max(r, g, b);
  if (max < 0.02) return "off";
  const [nr, ng, nb] = [r / max, g / max, b / max];
  if (nr > 0.8 && ng < 0.2 && nb < 0.2) return "red";
  if (ng > 0.8 && nr < 0.2 && nb < 0.2) return "green";
  if (nb > 0.8 && nr < 0.2 && ng < 0.2) return "blue";
  if (nr > 0.8 && ng >= 0.2 && ng < 0.7 && nb < 0.2) return "amber";
  if (nr > 0.8 && ng > 0.8 && nb > 0.8) return "white";
  return `rgb(${Math.round(r * 255)},${Math.round(g * 255)},${Math.round(b * 255)})`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** A lamp drawn with a 24-bit colour escape; dim shows as dark grey so "off" is still visible. */
export function ansiLamp(view: LedView): string {
  if (view.lamps) return view.lamps.map((rgb) => ansiLamp({ ...view, rgb, lamps: undefined })).join("");
  const [r, g, b] = view.rgb;
  const lit = Math.max(r, g, b) > 5;
  const [dr, dg, db] = lit ? [r, g, b] : [60, 60, 60];
  return `\x1b[38;2;${dr};${dg};${db}m●\x1b[0m`;
}
