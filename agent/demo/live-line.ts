// The demo's live status line, fitted to the terminal's width: it must take exactly one row, since
// erase-line clears one row and a wrapped line leaves a copy behind at every redraw. When it does
// not fit, the scene title is cut first (with an ellipsis), then left out, and the pin
// percentages go last. With several lights (--story two-lights) it shows a lamp per light, each
// named. Pure.
import { columns, fit } from "./width.ts";

/** Columns kept free at the right edge, for ambiguous-width symbols (●, ▶, →) a terminal draws two wide. */
export const MARGIN = 3;
/** Narrower terminals get no pin detail at all. */
export const NARROW = 40;
/** A title cut shorter than this says nothing: the scene number alone says more. */
const MIN_TITLE = 12;

/** One light as the line draws it. */
export interface LampParts {
  /** A coloured ● (with its escapes), or "" when colour is off. */
  lamp: string;
  /** The colour in words: off, red, amber, … */
  name: string;
  /** "9=100% 10=0% 11=0%" */
  pins: string;
  /** The light's name, shown when there are several; one light reads "LED". */
  label?: string;
}

export interface LiveParts extends LampParts {
  /** "scene 3/8", or "" before the story starts. */
  scene: string;
  title: string;
  /** The lights after the first, when there are several: each drawn after it, in order. */
  more?: readonly LampParts[];
}

/** "● LED red    ", or with its pins; names padded so that a change of colour does not shift what follows. */
function lampText(l: LampParts, pins: boolean): string {
  const led = `${l.lamp ? `${l.lamp} ` : ""}${l.label ?? "LED"} ${l.name.padEnd(7)}`;
  // Percentages right-aligned, so that a pulsing LED does not shift the title at every frame.
  return pins ? `${led} (pins ${l.pins.replace(/=(\d+)%/g, (_, n: string) => `=${n.padStart(3)}%`)})` : led;
}

/** The line for a terminal `width` columns wide; it takes at most `width - MARGIN` columns. */
export function liveLine(p: LiveParts, width: number): string {
  const budget = width - MARGIN;
  const lamps = [p, ...(p.more ?? [])];
  const led = lamps.map((l) => lampText(l, false)).join("  ");
  const pins = lamps.map((l) => lampText(l, true)).join("  ");
  const join = (...parts: string[]) => parts.filter(Boolean).join("  ");
  const fits = (line: string) => columns(line) <= budget;

  for (const left of width >= NARROW ? [pins, led.trimEnd()] : [led.trimEnd()]) {
    const whole = join(left, p.title ? `${p.scene}: ${p.title}` : p.scene);
    if (fits(whole)) return whole;
    const room = budget - columns(join(left, `${p.scene}: `));
    if (p.title && room >= MIN_TITLE) return join(left, `${p.scene}: ${fit(p.title, room)}`);
    const numbered = join(left, p.scene);
    if (fits(numbered)) return numbered;
  }
  return fit(led.trimEnd(), budget);
}
