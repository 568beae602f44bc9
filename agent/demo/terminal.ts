// The demo's screen: log lines scroll, and the LED as read off the emulated chip is drawn beside
// them — live on a status line in a terminal, as plain lines when the output is a file, a test,
// or a terminal that cannot erase a line (TERM=dumb).
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

export class DemoScreen {
  private readonly live: boolean;
  private readonly colour: boolean;
  private scene = "";
  private title = "";
  /** The live line as last drawn; rewritten only when it changes. */
  private status = "";
  private timer?: NodeJS.Timeout;
  private readonly onResize = () => this.redraw(true);

  constructor(private readonly out: ScreenStream, private readonly spec: LedSpec, private readonly read: PinReader, env: NodeJS.ProcessEnv = process.env) {
    this.live = out.isTTY === true && env.TERM !== "dumb";
    // https://no-color.org: present and not empty.
    this.colour = !env.NO_COLOR;
  }

  led(): LedView {
    return viewLed(this.spec, this.read);
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
    const view = this.led();
    const lamp = this.live && this.colour ? ansiLamp(view) : `[${view.name}]`;
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
    const view = this.led();
    const width = this.out.columns || DEFAULT_COLUMNS;
    const status = liveLine({ lamp: this.colour ? ansiLamp(view) : "", name: view.name, pins: view.pins, scene: this.scene, title: this.title }, width);
    if (status === this.status && !force) return;
    this.status = status;
    this.out.write(`${CLEAR}${status}`);
  }
}
