// Whether the board's capability report allows the configured wiring. Pure.
import type { LedSpec } from "../light/led-spec.ts";

const OUTPUT = 0x01;
const PWM = 0x03;

export interface PinCapabilities {
  supportedModes: number[];
}

/** A sentence naming the first pin the board cannot drive as needed, or undefined when all can. */
export function checkPins(pins: PinCapabilities[], spec: LedSpec): string | undefined {
  // A single LED and a traffic module's plain lamps are switched on and off; only RGB mixes with PWM.
  const wanted =
    spec.kind === "single"
      ? [{ pin: spec.pin, mode: OUTPUT }]
      : Object.values(spec.pins).map((pin) => ({ pin, mode: spec.kind === "rgb" ? PWM : OUTPUT }));
  for (const { pin, mode } of wanted) {
    const caps = pins[pin];
    if (!caps || caps.supportedModes.length === 0) {
      const usable = pins.flatMap((p, i) => (p.supportedModes.includes(OUTPUT) ? [i] : []));
      return `pin ${pin} does not exist on this board (it reports output pins ${ranges(usable)})`;
    }
    if (!caps.supportedModes.includes(mode)) {
      const pwm = pins.flatMap((p, i) => (p.supportedModes.includes(PWM) ? [i] : []));
      return mode === PWM
        ? `pin ${pin} has no PWM on this board, which an RGB LED needs (PWM pins: ${pwm.join(", ")})`
        : `pin ${pin} cannot be an output on this board`;
    }
  }
  return undefined;
}

function ranges(ns: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ns.length; i++) {
    const start = ns[i]!;
    let end = start;
    while (ns[i + 1] === end + 1) end = ns[++i]!;
    out.push(start === end ? `${start}` : `${start}-${end}`);
  }
  return out.join(", ") || "none";
}
