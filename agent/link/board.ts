// The link arrow: find the board, wait for the Firmata handshake, draw the current signal, and
// when the board goes away (unplugged, reset, silent) keep trying with backoff and redraw on the
// next handshake. The cluster watch never waits on any of this.
import firmataIo from "firmata-io";
import { Board } from "../light/johnny-five.ts";
import type { Signal } from "../model.ts";
import type { Log } from "../log/logger.ts";
import { createLamp, type Lamp } from "../light/lamp.ts";
import type { LedSpec } from "../light/led-spec.ts";
import { backoff as makeBackoff, type Backoff } from "../source/backoff.ts";
import { KNOWN_USB_IDS, pickBoard, type SerialAccess, type SerialPortLike, type UsbId } from "./ports.ts";
import { checkPins } from "./pins.ts";
import { configureMessage, hasDeadman, parseQueryReply, HEARTBEAT, QUERY, type DeadmanState } from "./deadman.ts";

const { Firmata } = firmataIo;
const PROBE_EVERY_MS = 5000;
const PROBE_ANSWER_MS = 3000;
type Io = InstanceType<typeof Firmata>;

export interface LinkOptions {
  serial: string; // a device path, or "auto"
  usbIds: UsbId[];
  led: LedSpec;
  access: SerialAccess;
  log: Log;
  handshakeTimeoutMs?: number;
  /** fluxlight firmware draws host lost after this long without a byte from us; 0 disarms it. */
  heartbeatTimeoutMs: number;
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
  private heartbeat?: NodeJS.Timeout;
  private probe?: NodeJS.Timeout;
  private saidStock = false;
  /** board-not-found is said once per search, then only at debug level until a board turns up. */
  private saidNotFound = false;
  private lastTrouble = "";
  private readonly retry: Backoff;
  private readonly log: Log;
  state: LinkState = "searching";
  board?: BoardInfo;
  connects = 0;

  constructor(private readonly opts: LinkOptions) {
    this.retry = opts.backoff ?? makeBackoff(500, 5000);
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
    clearInterval(this.heartbeat);
    clearInterval(this.probe);
    const port = this.port;
    // Dark, not the last colour: nobody is watching any more. fluxlight's firmware then draws
    // host lost once the heartbeat timeout passes.
    this.lamp?.dark();
    this.lamp = undefined;
    this.port = undefined;
    if (port?.isOpen) {
      await new Promise<void>((resolve) => (port.drain ? port.drain(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }

  /** A method, not a field read, so that TypeScript does not narrow it across an await. */
  private stopped(): boolean {
    return this.state === "stopped";
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
    if (this.stopped()) return; // stopped while listing the ports
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
      const board = new Board({ io, repl: false, debug: false, sigint: false });
      // After the port is gone its failure is said once, by board-disconnected.
      board.on("error", (err: Error) => this.port === port && this.log.warn({ event: "board-error", path, error: err.message }, `board error: ${err.message}`));
      await new Promise<void>((resolve) => board.once("ready", () => resolve()));
      if (this.port !== port) return; // lost while getting ready
      this.board = { path, firmware: io.firmware?.name ?? "unknown", version: `${io.firmware?.version?.major ?? "?"}.${io.firmware?.version?.minor ?? "?"}` };
      this.lamp = createLamp(board, this.opts.led);
      this.lamp.show(this.signal);
      this.state = "connected";
      this.connects += 1;
      this.retry.reset();
      this.log.info({ event: "board-connected", path, firmware: this.board.firmware, firmwareVersion: this.board.version, signal: this.signal }, `board connected on ${path} (${this.board.firmware} ${this.board.version}); showing ${this.signal}`);
      this.watchBoard(io, port, path);
      await this.armDeadman(io, port);
    } catch (err) {
      // Lost meanwhile: lost() has already said so and scheduled the retry; a second would race it.
      if (this.port !== port) return;
      // Said once; the same failure on every retry (a board without Firmata) only at debug level.
      const trouble = `${path}:handshake:${(err as Error).message}`;
      this.log[trouble === this.lastTrouble ? "debug" : "warn"]({ event: "board-handshake-failed", path, error: (err as Error).message }, `${(err as Error).message}; retrying`);
      this.lastTrouble = trouble;
      this.drop(port);
      this.again();
    }
  }

  /**
   * A board can go away without the port noticing: a reset (a brown-out, a DTR glitch) puts every
   * pin back to input, and on Linux an unplugged CDC device sometimes reads as end-of-file for
   * ever. Firmata boards announce their firmware when they boot, so an unasked firmware report
   * means a reset; and a version query every few seconds must be answered.
   */
  private watchBoard(io: Io, port: SerialPortLike, path: string): void {
    io.on("queryfirmware", () => this.lost(port, "the board reset itself (it announced its firmware again)"));
    const ask = () => {
      if (this.port !== port) return;
      const silence = setTimeout(() => this.lost(port, `the board on ${path} stopped answering Firmata`), PROBE_ANSWER_MS);
      io.reportVersion(() => clearTimeout(silence));
    };
    clearInterval(this.probe);
    this.probe = setInterval(ask, PROBE_EVERY_MS);
  }

  /**
   * With fluxlight's firmware: arm the dead-man's switch, confirm it took, and keep it fed well
   * inside the timeout (four times per timeout, so one late timer never trips it). With any
   * other Firmata: say once that a dead agent cannot be shown, and carry on.
   */
  private async armDeadman(io: Io, port: SerialPortLike): Promise<void> {
    const firmware = io.firmware?.name;
    if (!hasDeadman(firmware)) {
      if (!this.saidStock) {
        this.saidStock = true;
        this.log.warn({ event: "no-deadman", firmware }, `firmware ${firmware ?? "unknown"} cannot show a dead agent: if the agent dies, the LED keeps its last colour; flash fluxlight's firmware (firmware/README.md) for the dead-man's switch`);
      }
      return;
    }
    const timeoutMs = this.opts.heartbeatTimeoutMs;
    io.sysexCommand(configureMessage(this.opts.led, timeoutMs));
    const state = await new Promise<DeadmanState | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), 2000);
      io.clearSysexResponse(QUERY);
      io.sysexResponse(QUERY, (data) => {
        clearTimeout(t);
        resolve(parseQueryReply(data));
      });
      io.sysexCommand([QUERY]);
    });
    if (this.port !== port) return;
    if (!state || state.timeoutMs !== timeoutMs) {
      this.log.warn({ event: "deadman-unconfirmed", firmware, reply: state ?? null }, "the board did not confirm the dead-man's switch configuration; if the agent dies, the LED may keep its last colour");
    } else if (timeoutMs === 0) {
      this.log.info({ event: "deadman-disarmed" }, "dead-man's switch disarmed (--heartbeat-timeout 0): if the agent dies, the LED keeps its last colour");
      return;
    } else {
      this.log.info(
        { event: "deadman-armed", heartbeatTimeoutMs: timeoutMs, hostLostEpisodes: state.episodes, watchdogReset: state.watchdogReset },
        `dead-man's switch armed: the board draws host lost after ${timeoutMs / 1000}s without the agent${state.episodes ? ` (it did so ${state.episodes} time${state.episodes === 1 ? "" : "s"} since power-on)` : ""}` +
          (state.watchdogReset ? "; the board last started after its watchdog reset it (its firmware had hung)" : ""),
      );
    }
    // The board ends host lost at our next byte and leaves the LED dark: the light is ours to
    // draw again. An agent that was alive but silent (its event loop stalled, the container
    // starved of CPU or frozen) does not know it happened unless it asks: so ask once per
    // timeout, and at once when a heartbeat comes late enough that the board may have given up.
    const everyMs = Math.max(250, Math.floor(timeoutMs / 4));
    let last = Date.now();
    let ticks = 0;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (this.port !== port || !port.isOpen) return;
      const late = Date.now() - last >= timeoutMs * 0.9;
      last = Date.now();
      ticks += 1;
      if (late || ticks % 4 === 0) this.askHostLost(io, port, timeoutMs);
      else io.sysexCommand([HEARTBEAT]);
    }, everyMs);
  }

  /** QUERY (a byte of life too); if the board drew host lost since the last one, draw the light again. */
  private askHostLost(io: Io, port: SerialPortLike, timeoutMs: number): void {
    io.clearSysexResponse(QUERY);
    io.sysexResponse(QUERY, (data) => {
      if (this.port !== port) return;
      const state = parseQueryReply(data);
      if (!state?.wasLost) return;
      this.log.warn(
        { event: "host-lost-seen", heartbeatTimeoutMs: timeoutMs, hostLostEpisodes: state.episodes, signal: this.signal },
        `the board drew host lost: it heard nothing from the agent for ${timeoutMs / 1000}s (the agent stalled or was starved of CPU); showing ${this.signal} again`,
      );
      this.lamp?.show(this.signal);
    });
    io.sysexCommand([QUERY]);
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
      const usbIds = ids.map((i) => `${i.vendorId}:${i.productId ?? "*"}`);
      const present = ports.map((p) => `${p.path}${p.vendorId ? ` (${p.vendorId}:${p.productId ?? "?"})` : ""}`);
      const level = this.saidNotFound ? "debug" : "warn";
      this.saidNotFound = true;
      this.log[level](
        { event: "board-not-found", usbIds, ports: ports.map((p) => p.path) },
        `no board found: no serial port has a known USB id (${usbIds.join(", ")}); ${present.length ? `serial ports here: ${present.join(", ")}` : "no serial ports here"}. ` +
          "Add the board's id with --usb-id VID:PID, or name the device with --serial; still looking",
      );
      return undefined;
    }
    this.saidNotFound = false;
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
      // A board that did not reset on open (no DTR: a pty, auto-reset cut) never announces itself; ask
      // after 1 s. A resetting Uno is in its bootloader then, which our bytes only end sooner.
      const io = new Firmata(port, { reportVersionTimeout: 1000 });
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
      this.lastTrouble = "";
    } else {
      // Not there yet (no such device, no permission, busy): say so once, then quietly retry.
      const trouble = `${port.path}:${why}`;
      this.log[trouble === this.lastTrouble ? "debug" : "warn"](
        { event: "board-open-failed", path: port.path, error: why },
        `cannot use the board on ${port.path}: ${why}; retrying (is it plugged in, and is the agent in the device's group, e.g. dialout?)`,
      );
      this.lastTrouble = trouble;
    }
    this.again();
  }

  private drop(port: SerialPortLike): void {
    clearInterval(this.heartbeat);
    clearInterval(this.probe);
    this.lamp?.halt();
    this.lamp = undefined;
    this.board = undefined;
    if (this.port === port) this.port = undefined;
    port.removeAllListeners("data");
    if (port.isOpen) port.close(() => undefined);
  }
}
