// The demo's screen: log lines scroll, and the LED as read off the emulated chip is drawn beside
// them — live on a status line in a terminal, as plain lines when the output is a file, a test,
// or a terminal that cannot erase a line (TERM=dumb). Several lights (--story two-lights): a lamp
// for each, in order, on the one live line and before every scrolling line.
import type { Writable } from "node:stream";
import type { LedSpec } from "../light/led-spec.ts";
import { ansiLamp, viewLed, type LedView, type PinReader } from "./led-view.ts";
import { liveLine } from "./live-line.ts";

/** What the screen needs to know of the stream it draws on: a TTY has columns and says when they change. */
export type ScreenStream = Writable & { isTTY?: boolean; columns?: number };

/** Back to the start of the row and erase it: the live line is always one row, so this removes it whole. */
const CLEAR = "\r\x1b[2K";
/** When a TTY does not tell its width. */
const DEFAULT_COLUMNS = 80;

/** A light the screen draws: its name (shown when there are several) and its wiring. */
export interface ScreenLight {
  name: string;
  led: LedSpec;
}

export class DemoScreen {
  private readonly live: boolean;
  private readonly colour: boolean;
  private scene = "";
  private title = "";
  /** The live line as last drawn; rewritten only when it changes. */
  private status = "";
  private timer?: NodeJS.Timeout;
  private readonly onResize = () => this.redraw(true);
  private readonly lights: readonly ScreenLight[];

  /** `lights`: one wiring (one light, named "LED"), or several named lights on one board. */
  constructor(private readonly out: ScreenStream, lights: LedSpec | readonly ScreenLight[], private readonly read: PinReader, env: NodeJS.ProcessEnv = process.env) {
    this.lights = Array.isArray(lights) ? lights : [{ name: "LED", led: lights as LedSpec }];
    this.live = out.isTTY === true && env.TERM !== "dumb";
    // https://no-color.org: present and not empty.
    this.colour = !env.NO_COLOR;
  }

  /** The first light as the chip shows it (the only one, but for --story two-lights). */
  led(): LedView {
    return this.leds()[0]!;
  }

  /** Every light as the chip shows it, in order. */
  leds(): LedView[] {
    return this.lights.map((l) => viewLed(l.led, this.read));
  }

  start(): void {
    if (!this.live) return;
    this.timer = setInterval(() => this.redraw(), 50);
    this.out.on("resize", this.onResize);
    this.redraw(true);
  }

  stop(): void {
    clearInterval(this.timer);
    if (!this.live) return;
    this.out.off("resize", this.onResize);
    this.out.write(CLEAR);
    this.status = "";
  }

  /** A line that scrolls: a log line, or the narration. It may wrap; the live line is put back below it. */
  say(line: string): void {
    const views = this.leds();
    const lamp = this.live && this.colour ? views.map(ansiLamp).join(" ") : `[${views.map((v) => v.name).join("|")}]`;
    this.out.write(`${this.live ? CLEAR : ""}${lamp} ${line}\n${this.live ? this.status : ""}`);
  }

  /** The scene the live line names, e.g. ("scene 3/8", "a bad commit: apps fails to build"). */
  setScene(scene: string, title: string): void {
    this.scene = scene;
    this.title = title;
    this.redraw();
  }

  private redraw(force = false): void {
    if (!this.live) return;
    const several = this.lights.length > 1;
    const [first, ...more] = this.leds().map((view, i) => ({ lamp: this.colour ? ansiLamp(view) : "", name: view.name, pins: view.pins, ...(several ? { label: this.lights[i]!.name } : {}) }));
    const width = this.out.columns || DEFAULT_COLUMNS;
    const status = liveLine({ ...first!, scene: this.scene, title: this.title, ...(several ? { more } : {}) }, width);
    if (status === this.status && !force) return;
    this.status = status;
    this.out.write(`${CLEAR}${status}`);
  }
}
