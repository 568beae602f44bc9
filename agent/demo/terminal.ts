// The demo's screen: log lines scroll, and the LED as read off the emulated chip is drawn beside
// them — live on a status line in a terminal, as plain lines when the output is a file or a test.
import type { Writable } from "node:stream";
import type { LedSpec } from "../light/led-spec.ts";
import { ansiLamp, viewLed, type LedView, type PinReader } from "./led-view.ts";

export class DemoScreen {
  private status = "";
  private timer?: NodeJS.Timeout;
  private readonly live: boolean;

  constructor(private readonly out: Writable & { isTTY?: boolean }, private readonly spec: LedSpec, private readonly read: PinReader) {
    this.live = out.isTTY === true;
  }

  led(): LedView {
    return viewLed(this.spec, this.read);
  }

  start(): void {
    if (this.live) this.timer = setInterval(() => this.redraw(), 50);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.live) this.out.write("\r\x1b[2K");
  }

  /** A line that scrolls: a log line, or the narration. */
  say(line: string): void {
    const view = this.led();
    const lamp = this.live ? ansiLamp(view) : `[${view.name}]`;
    if (this.live) this.out.write("\r\x1b[2K");
    this.out.write(`${lamp} ${line}\n`);
    if (this.live) this.out.write(this.status);
  }

  setStatus(text: string): void {
    this.statusText = text;
    this.redraw();
  }

  private statusText = "";

  private redraw(): void {
    if (!this.live) return;
    const view = this.led();
    this.status = `${ansiLamp(view)} LED ${view.name.padEnd(7)} (pins ${view.pins})  ${this.statusText}`;
    this.out.write(`\r\x1b[2K${this.status}`);
  }
}
