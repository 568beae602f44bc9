// The `--led` wiring spec: `single:PIN`, `rgb:R,G,B` (common cathode), `rgb-anode:R,G,B`,
// `traffic:R,Y,G` (a red/yellow/green module: three plain LEDs, each on its own pin).
// Only the syntax and the Uno's pin numbering are checked here; whether the connected board
// has the pin, or PWM on it, is checked later against its Firmata capability report.

import type { Parsed } from "../shared/duration.ts";

export type LedSpec =
  | { kind: "single"; pin: number }
  | { kind: "rgb"; pins: { red: number; green: number; blue: number }; anode: boolean }
  | { kind: "traffic"; pins: { red: number; yellow: number; green: number } };

export const DEFAULT_LED_SPEC = "single:13";

/** Uno numbering: D0..D13, then A0..A5 as 14..19. */
const HIGHEST_PIN = 19;
const ANALOG_BASE = 14;

const FORMS = "single:PIN, rgb:R,G,B, rgb-anode:R,G,B or traffic:R,Y,G";

export function parseLedSpec(text: string): Parsed<LedSpec> {
  const shown = JSON.stringify(text);
  const colon = text.indexOf(":");
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase();
  const args = colon < 0 ? [] : text.slice(colon + 1).split(",").map((s) => s.trim());
  switch (kind) {
    case "single": {
      if (args.length !== 1 || args[0] === "") return { ok: false, error: `${shown} needs one pin: single:PIN, e.g. single:13` };
      const pin = parsePin(args[0]!, shown);
      return pin.ok ? { ok: true, value: { kind: "single", pin: pin.value } } : pin;
    }
    case "rgb":
    case "rgb-anode": {
      const pins = threePins(args, shown, `${kind}:R,G,B, e.g. ${kind}:9,10,11`);
      if (!pins.ok) return pins;
      const [red, green, blue] = pins.value;
      return { ok: true, value: { kind: "rgb", pins: { red, green, blue }, anode: kind === "rgb-anode" } };
    }
    case "traffic": {
      const pins = threePins(args, shown, "traffic:R,Y,G (red, yellow, green), e.g. traffic:2,3,4");
      if (!pins.ok) return pins;
      const [red, yellow, green] = pins.value;
      return { ok: true, value: { kind: "traffic", pins: { red, yellow, green } } };
    }
    default:
      return { ok: false, error: `${shown} is not an LED wiring: use ${FORMS}` };
  }
}

function threePins(args: string[], shown: string, form: string): Parsed<[number, number, number]> {
  if (args.length !== 3 || args.some((a) => a === "")) return { ok: false, error: `${shown} needs three pins: ${form}` };
  const pins: number[] = [];
  for (const arg of args) {
    const pin = parsePin(arg, shown);
    if (!pin.ok) return pin;
    if (pins.includes(pin.value)) return { ok: false, error: `${shown} uses pin ${pin.value} twice: each colour needs its own pin` };
    pins.push(pin.value);
  }
  return { ok: true, value: pins as [number, number, number] };
}

function parsePin(arg: string, shown: string): Parsed<number> {
  let pin: number;
  const analog = /^a(\d+)$/i.exec(arg);
  if (analog) {
    pin = ANALOG_BASE + Number(analog[1]);
    if (pin > HIGHEST_PIN) return { ok: false, error: `${shown}: ${arg} is not an Uno pin: analog pins are A0..A5` };
  } else if (/^\d+$/.test(arg)) {
    pin = Number(arg);
    if (pin > HIGHEST_PIN) return { ok: false, error: `${shown}: pin ${arg} is not an Uno pin: use 2..19 or A0..A5` };
  } else {
    return { ok: false, error: `${shown}: ${JSON.stringify(arg)} is not a pin: use a number 2..19 or A0..A5` };
  }
  if (pin === 0 || pin === 1) {
    // D0/D1 are the UART the Firmata stream itself runs on.
    return { ok: false, error: `${shown}: pin ${pin} is the serial line that carries Firmata: use 2..19 or A0..A5` };
  }
  return { ok: true, value: pin };
}

/** The Uno's (and Nano's) PWM pins, which an RGB LED needs to mix colours. */
export const UNO_PWM_PINS: readonly number[] = [3, 5, 6, 9, 10, 11];

/** Every pin the wiring takes. */
export function ledPins(spec: LedSpec): number[] {
  return spec.kind === "single" ? [spec.pin] : Object.values(spec.pins);
}

export function formatLedSpec(spec: LedSpec): string {
  if (spec.kind === "single") return `single:${spec.pin}`;
  if (spec.kind === "traffic") return `traffic:${spec.pins.red},${spec.pins.yellow},${spec.pins.green}`;
  return `${spec.anode ? "rgb-anode" : "rgb"}:${spec.pins.red},${spec.pins.green},${spec.pins.blue}`;
}
