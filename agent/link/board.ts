// The link arrow: find the board, wait for the Firmata handshake, draw the current signal, and
// when the board goes away (unplugged, reset, silent) keep trying with backoff and redraw on the
// next handshake. The cluster watch never waits on any of this.
import firmataIo from "firmata-io";
import five from "johnny-five";
import type { Signal } from "../model.ts";
import type { Log } from "../log/logger.ts";
import { createLamp, type Lamp } from "../light/lamp.ts";
import type { LedSpec } from "../light/led-spec.ts";
import { backoff as makeBackoff, type Backoff } from "../source/backoff.ts";
import { KNOWN_USB_IDS, pickBoard, type SerialAccess, type SerialPortLike, type UsbId } from "./ports.ts";
import { checkPins } from "./pins.ts";

const { Firmata } = firmataIo;
type Io = InstanceType<typeof Firmata>;

export interface LinkOptions {
  serial: string; // a device path, or "auto"
  usbIds: UsbId[];
  led: LedSpec;
  access: SerialAccess;
  log: Log;
  handshakeTimeoutMs?: number;
  backoff?: Backoff;
  /** The board cannot show this wiring at all (a pin it does not have): no retry will help. */
  onFatal(message: string): void;
}

export type LinkState = "searching" | "connecting" | "connected" | "stopped";

export interface BoardInfo {
  path: string;
  firmware: string;
  version: string;
}

export class BoardLink {
  private signal: Signal = "starting";
  private lamp?: Lamp;
  private port?: SerialPortLike;
  private timer?: NodeJS.Timeout;
  private readonly retry: Backoff;
  private readonly log: Log;
  state: LinkState = "searching";
  board?: BoardInfo;
  connects = 0;

  constructor(private readonly opts: LinkOptions) {
    this.retry = opts.backoff ?? makeBackoff(500, 10_000);
    this.log = opts.log.child({ part: "link" });
  }

  start(): void {
    void this.attempt();
  }

  /** Remember the signal and draw it now if a board is there; a later (re)connect redraws it. */
  show(signal: Signal): void {
    this.signal = signal;
    this.lamp?.show(signal);
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.timer);
    const port = this.port;
    this.lamp?.halt();
    this.lamp = undefined;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private again(delayMs = this.retry.next()): void {
    if (this.state === "stopped") return;
    this.state = "searching";
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), delayMs);
  }

  private async attempt(): Promise<void> {
    if (this.state === "stopped") return;
    const path = await this.findPath();
    if (!path) return this.again();
    this.state = "connecting";
    let port: SerialPortLike;
    try {
      port = this.opts.access.open(path);
    } catch (err) {
      this.log.warn({ event: "board-open-failed", path, error: (err as Error).message }, `cannot open ${path}: ${(err as Error).message}`);
      return this.again();
    }
    this.port = port;
    const gone = (why: string) => this.lost(port, why);
    port.on("error", (err: Error) => gone(err.message));
    port.on("close", (err?: Error | null) => gone(err?.message ?? "port closed"));
    try {
      const io = await this.handshake(port, path);
      const problem = checkPins(io.pins, this.opts.led);
      if (problem) {
        this.opts.onFatal(`--led: ${problem}`);
        return;
      }
      const board = new five.Board({ io, repl: false, debug: false, sigint: false });
      board.on("error", (err: Error) => this.log.warn({ event: "board-error", path, error: err.message }, `board error: ${err.message}`));
      await new Promise<void>((resolve) => board.once("ready", () => resolve()));
      if (this.port !== port) return; // lost while getting ready
      this.board = { path, firmware: io.firmware?.name ?? "unknown", version: `${io.firmware?.version?.major ?? "?"}.${io.firmware?.version?.minor ?? "?"}` };
      this.lamp = createLamp(board, this.opts.led);
      this.lamp.show(this.signal);
      this.state = "connected";
      this.connects += 1;
      this.retry.reset();
      this.log.info({ event: "board-connected", path, firmware: this.board.firmware, firmwareVersion: this.board.version, signal: this.signal }, `board connected on ${path} (${this.board.firmware} ${this.board.version}); showing ${this.signal}`);
    } catch (err) {
      this.log.warn({ event: "board-handshake-failed", path, error: (err as Error).message }, (err as Error).message);
      this.drop(port);
      this.again();
    }
  }

  private async findPath(): Promise<string | undefined> {
    if (this.opts.serial !== "auto") return this.opts.serial;
    const ids = [...KNOWN_USB_IDS, ...this.opts.usbIds];
    let ports;
    try {
      ports = await this.opts.access.list();
    } catch (err) {
      this.log.warn({ event: "board-list-failed", error: (err as Error).message }, `cannot list serial ports: ${(err as Error).message}`);
      return undefined;
    }
    const { chosen, candidates } = pickBoard(ports, ids);
    if (!chosen) {
      this.log.warn(
        { event: "board-not-found", usbIds: ids.map((i) => `${i.vendorId}:${i.productId ?? "*"}`), ports: ports.map((p) => p.path) },
        "no board found: no serial port with a known USB vendor/product id (add one with --usb-id VID:PID, or name the device with --serial)",
      );
      return undefined;
    }
    if (candidates.length > 1) {
      this.log.info({ event: "board-chosen", path: chosen.path, candidates: candidates.map((c) => c.path) }, `several boards match; using ${chosen.path} (the first by path)`);
    }
    return chosen.path;
  }

  private handshake(port: SerialPortLike, path: string): Promise<Io> {
    const timeoutMs = this.opts.handshakeTimeoutMs ?? 10_000;
    return new Promise<Io>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`board on ${path} did not answer the Firmata handshake within ${timeoutMs} ms (is Firmata, or fluxlight's firmware, flashed on it?)`)),
        timeoutMs,
      );
      const io = new Firmata(port, { reportVersionTimeout: 3000 });
      io.on("error", () => undefined); // the port's own error handler reports it
      io.once("ready", () => {
        clearTimeout(timer);
        resolve(io);
      });
      port.once("close", () => {
        clearTimeout(timer);
        reject(new Error(`board on ${path} went away during the handshake`));
      });
    });
  }

  private lost(port: SerialPortLike, why: string): void {
    if (this.port !== port || this.state === "stopped") return;
    const wasConnected = this.state === "connected";
    this.drop(port);
    if (wasConnected) {
      this.log.warn({ event: "board-disconnected", path: port.path, reason: why }, `board on ${port.path} disconnected: ${why}; reconnecting`);
    }
    this.again();
  }

  private drop(port: SerialPortLike): void {
    this.lamp?.halt();
    this.lamp = undefined;
    this.board = undefined;
    if (this.port === port) this.port = undefined;
    port.removeAllListeners("data");
    if (port.isOpen) port.close(() => undefined);
  }
}
