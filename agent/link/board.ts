// The link arrow's shell: performs what the connection machine (./connection.ts) asks — find the
// port, open it, the Firmata handshake, the capability check, johnny-five's Board for the lamp,
// the liveness probe — and reports back what happened. The dead-man's switch is
// ./deadman-session.ts's (one for every LED on the board), reset detection ./reset.ts's; each
// light's lamp is drawn by whatever `drawOn` makes of the board (the light's createLamp). The
// cluster watch never waits on any of this.
// Over 200 lines: the I/O of one board (port, Firmata, johnny-five) in one class; every decision
// about it is the pure machine in ./connection.ts.
import firmataIo from "firmata-io";
import Board from "johnny-five/lib/board.js";
import type { Signal } from "../model.ts";
import type { Log } from "../log/logger.ts";
import type { Lamp } from "../light/lamp.ts";
import type { LedSpec } from "../light/led-spec.ts";
import type { HostLostLook } from "../light/looks.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { backoffDelay } from "../shared/backoff.ts";
import { IDLE, nextWake, step, type Connection, type LinkAction, type LinkEvent, type LinkTiming } from "./connection.ts";
import { DeadmanSession } from "./deadman-session.ts";
import { checkPins } from "./pins.ts";
import { findBoard, type SerialAccess, type SerialPortLike, type UsbId } from "./ports.ts";
import { onReset } from "./reset.ts";
import { LinkSay } from "./say.ts";

const { Firmata } = firmataIo;
type Io = InstanceType<typeof Firmata>;
export type JohnnyBoard = InstanceType<typeof Board>;

/** One light on the board. */
export interface BoardLight {
  /** The light's name, for log lines when there are several. */
  name: string;
  led: LedSpec;
  /** Where the wiring was configured (`--led`, `lights[1].led`), for the line when the board cannot draw it. */
  field: string;
}

export interface LinkOptions {
  serial: string; // a device path, or "auto"
  usbIds: UsbId[];
  /** Every light on this board, in order; `show` takes an index into it. */
  lights: readonly BoardLight[];
  hostLost: HostLostLook;
  access: SerialAccess;
  log: Log;
  clock: Clock;
  /** The lamp of one LED on a ready board (the light's createLamp). */
  drawOn(board: JohnnyBoard, led: LedSpec): Lamp;
  handshakeTimeoutMs?: number;
  /** fluxlight firmware draws host lost after this long without a byte from us; 0 disarms it. */
  heartbeatTimeoutMs: number;
  timing?: Partial<LinkTiming>;
  /** The board cannot show this wiring at all (a pin it does not have): no retry will help. */
  onFatal(message: string): void;
}

export type BoardState = "searching" | "connecting" | "connected" | "stopped";

export interface BoardInfo {
  path: string;
  firmware: string;
  version: string;
}

/** What is open for the current session. */
interface Session {
  id: number;
  port: SerialPortLike;
  io?: Io;
  /** One per light, in the order of `lights`. */
  lamps?: Lamp[];
  deadman?: DeadmanSession;
  info?: BoardInfo;
}

export class BoardLink {
  private conn: Connection = IDLE;
  /** What each light shows, in the order of `lights`: drawn again after every (re)connect. */
  private readonly signals: Signal[];
  private session: Session | undefined;
  private wake: TimerHandle | undefined;
  private readonly timing: LinkTiming;
  private readonly say: LinkSay;
  private readonly log: Log;
  connects = 0;

  constructor(private readonly opts: LinkOptions) {
    this.log = opts.log.child({ part: "link" });
    this.say = new LinkSay(this.log);
    // Capped at 5 s: a board plugged back in is drawn on within seconds.
    this.timing = { probeEveryMs: 5000, answerWithinMs: 3000, retryDelay: (n) => backoffDelay(n, 500, 5000), ...opts.timing };
    this.signals = opts.lights.map(() => "starting");
  }

  start(): void {
    this.send({ type: "start" });
  }

  /** Remember light `light`'s signal and draw it now if a board is there; a later (re)connect redraws it. */
  show(light: number, signal: Signal): void {
    this.signals[light] = signal;
    this.session?.lamps?.[light]?.show(signal);
  }

  /** What the lights show, in words: the signal, or each light's when there are several. */
  private showing(): string {
    const { lights } = this.opts;
    return lights.length === 1 ? this.signals[0]! : lights.map((l, i) => `${l.name} ${this.signals[i]}`).join(", ");
  }

  private drawAll(session: Session): void {
    session.lamps?.forEach((lamp, i) => lamp.show(this.signals[i]!));
  }

  snapshot(): { state: BoardState; connected: boolean; path?: string; firmware?: string } {
    const phase = this.conn.phase;
    const state: BoardState = phase === "idle" ? "searching" : phase;
    const info = this.session?.info;
    return { state, connected: phase === "connected", path: info?.path, firmware: info?.firmware };
  }

  async stop(): Promise<void> {
    const session = this.session;
    this.send({ type: "stop" });
    const port = session?.port;
    if (port?.isOpen) {
      await new Promise<void>((resolve) => (port.drain ? port.drain(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }

  private send(event: LinkEvent): void {
    const { conn, actions } = step(this.conn, event, this.opts.clock.now(), this.timing);
    this.conn = conn;
    for (const action of actions) this.perform(action);
    this.opts.clock.clear(this.wake);
    const at = nextWake(conn);
    this.wake = at === undefined ? undefined : this.opts.clock.set(() => this.send({ type: "tick" }), Math.max(0, at - this.opts.clock.now()));
  }

  private perform(action: LinkAction): void {
    switch (action.do) {
      case "look":
        return void this.look(action.session);
      case "connect":
        return void this.connect(action.session, action.path);
      case "probe": {
        const id = action.session;
        return void this.session?.io?.reportVersion(() => this.send({ type: "answered", session: id }));
      }
      case "drop":
        this.drop(action.session);
        if (action.cause === "lost") this.say.lost(action.path ?? "?", action.why, action.wasConnected);
        return;
      case "release": {
        // Dark, not the last colour: nobody is watching any more. fluxlight's firmware then draws
        // host lost once the heartbeat timeout passes.
        this.session?.deadman?.stop();
        for (const lamp of this.session?.lamps ?? []) lamp.dark();
        this.session = undefined;
      }
    }
  }

  private async look(id: number): Promise<void> {
    const path = this.opts.serial !== "auto" ? this.opts.serial : await findBoard(this.opts.access, this.opts.usbIds, this.say);
    this.send({ type: "found", session: id, path });
  }

  private async connect(id: number, path: string): Promise<void> {
    let port: SerialPortLike;
    try {
      port = this.opts.access.open(path);
    } catch (err) {
      this.say.openFailed(path, (err as Error).message);
      return this.send({ type: "failed", session: id, why: (err as Error).message });
    }
    const session: Session = { id, port };
    this.session = session;
    const lost = (why: string) => this.send({ type: "lost", session: id, why });
    port.on("error", (err: Error) => lost(err.message));
    port.on("close", (err?: Error | null) => lost(err?.message ?? "port closed"));
    try {
      session.io = await this.handshake(port, path);
      for (const light of this.opts.lights) {
        const problem = checkPins(session.io.pins, light.led);
        if (problem) return this.opts.onFatal(`${light.field}: ${problem}`);
      }
      const board = await this.ready(session.io, session, path);
      if (this.session !== session) return; // lost while getting ready
      this.greet(session, board, path);
    } catch (err) {
      if (this.session !== session) return; // lost meanwhile: already said and retried
      this.say.handshakeFailed(path, (err as Error).message);
      this.send({ type: "failed", session: id, why: (err as Error).message });
    }
  }

  private async ready(io: Io, session: Session, path: string): Promise<JohnnyBoard> {
    const board = new Board({ io, repl: false, debug: false, sigint: false });
    // After the port is gone its failure is said once, by board-disconnected.
    board.on("error", (err: Error) => this.session === session && this.log.warn({ event: "board-error", path, error: err.message }, `board error: ${err.message}`));
    await new Promise<void>((resolve) => board.once("ready", () => resolve()));
    return board;
  }

  /** The board is ready: draw, tell, watch for a reset, arm the dead-man's switch. */
  private greet(session: Session, board: JohnnyBoard, path: string): void {
    const io = session.io!;
    session.info = { path, firmware: io.firmware?.name ?? "unknown", version: `${io.firmware?.version?.major ?? "?"}.${io.firmware?.version?.minor ?? "?"}` };
    session.lamps = this.opts.lights.map((light) => this.opts.drawOn(board, light.led));
    this.drawAll(session);
    this.connects += 1;
    this.send({ type: "ready", session: session.id });
    this.say.connected(session.info, this.showing());
    onReset(io, (why) => this.send({ type: "lost", session: session.id, why }));
    const { lights, hostLost, heartbeatTimeoutMs: timeoutMs, clock } = this.opts;
    const leds = lights.map((l) => l.led);
    session.deadman = new DeadmanSession(io, { leds, hostLost, timeoutMs, clock, log: this.log, redraw: () => this.drawAll(session), showing: () => this.showing() });
    void session.deadman.start().then((has) => has || this.say.noDeadman(io.firmware?.name));
  }

  private handshake(port: SerialPortLike, path: string): Promise<Io> {
    const timeoutMs = this.opts.handshakeTimeoutMs ?? 10_000;
    return new Promise<Io>((resolve, reject) => {
      const timer = this.opts.clock.set(
        () => reject(new Error(`board on ${path} did not answer the Firmata handshake within ${timeoutMs} ms (is Firmata, or fluxlight's firmware, flashed on it?)`)),
        timeoutMs,
      );
      // A board that did not reset on open (no DTR: a pty, auto-reset cut) never announces itself; ask
      // after 1 s. A resetting Uno is in its bootloader then, which our bytes only end sooner.
      const io = new Firmata(port, { reportVersionTimeout: 1000 });
      io.on("error", () => undefined); // the port's own error handler reports it
      io.once("ready", () => {
        this.opts.clock.clear(timer);
        resolve(io);
      });
      port.once("close", () => {
        this.opts.clock.clear(timer);
        reject(new Error(`board on ${path} went away during the handshake`));
      });
    });
  }

  /** Let the session's port go: no more drawing, feeding or listening. */
  private drop(id: number): void {
    const session = this.session;
    if (session?.id !== id) return;
    this.session = undefined;
    session.deadman?.stop();
    for (const lamp of session.lamps ?? []) lamp.halt();
    session.port.removeAllListeners("data");
    if (session.port.isOpen) session.port.close(() => undefined);
  }
}
