/**
 * An emulated Uno behind a real pseudo-terminal, for code that opens it with serialport's native
 * binding (`new SerialPort({ path: pty.path, baudRate: 57600 })`):
 *
 *   const pty = await UnoPty.create(uno);   // socat pty <-> pty; we hold the board end
 *   pty.path                                // host end: a symlink to /dev/pts/N, stable across plug()
 *   await pty.unplug(); await pty.plug();   // kill / restart socat; the board loses / regains power
 *   await pty.close();                      // kill socat, remove the temp dir
 *
 * Unlike the in-process binding, a pty carries no DTR, so opening the host end does not reset the
 * board (like an Uno whose auto-reset is disabled); call uno.reset() to model one. The pty has no
 * baud rate either: any host setting reaches the chip intact.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import type { EmulatedUno } from "./uno.ts";

export interface PtyOptions {
  socat?: string;
  /** How long to wait for socat's links, ms. */
  startTimeoutMs?: number;
}

export class UnoPty {
  static async create(uno: EmulatedUno, opts: PtyOptions = {}): Promise<UnoPty> {
    const dir = await mkdtemp(join(tmpdir(), "fluxlight-pty-"));
    const pty = new UnoPty(uno, dir, opts);
    try {
      await pty.connect();
    } catch (e) {
      await pty.close();
      throw e;
    }
    return pty;
  }

  readonly path: string;
  private readonly boardPath: string;
  private socat: ChildProcess | undefined;
  private board: SerialPort | undefined;
  private unsubscribe: (() => void) | undefined;
  private wasRunning = false;

  private constructor(readonly uno: EmulatedUno, readonly dir: string, private readonly opts: PtyOptions) {
    this.path = join(dir, "ttyACM0");
    this.boardPath = join(dir, "board");
  }

  get plugged(): boolean { return this.socat !== undefined; }

  /** socat dies: the host's open port sees the hangup; the board powers off. */
  async unplug(): Promise<void> {
    if (!this.socat) return;
    this.wasRunning = this.uno.isRunning;
    await this.disconnect();
    this.uno.powerOff();
  }

  /** socat again on the same link path; the board powers on (and runs if it was running). */
  async plug(): Promise<void> {
    if (this.socat) return;
    if (this.wasRunning) this.uno.start();
    await this.connect();
  }

  async close(): Promise<void> {
    await this.disconnect();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async connect(): Promise<void> {
    const socat = spawn(this.opts.socat ?? "/usr/bin/socat", [
      `pty,raw,echo=0,link=${this.boardPath}`,
      `pty,raw,echo=0,link=${this.path}`,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    this.socat = socat;
    let stderr = "";
    socat.stderr!.on("data", (b: Buffer) => { stderr += b.toString(); });
    let exited: string | undefined;
    socat.once("exit", (code, signal) => { exited = `socat exited (${signal ?? code}): ${stderr.trim()}`; });
    socat.once("error", (e) => { exited = `socat: ${e.message}`; });

    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 5000);
    while (!(existsSync(this.boardPath) && existsSync(this.path))) {
      if (exited) { this.socat = undefined; throw new Error(exited); }
      if (Date.now() > deadline) { await this.disconnect(); throw new Error(`socat made no ptys in time: ${stderr.trim()}`); }
      await new Promise((r) => setTimeout(r, 5));
    }

    const board = new SerialPort({ path: this.boardPath, baudRate: 57600, autoOpen: false });
    await new Promise<void>((resolve, reject) => board.open((e) => (e ? reject(e) : resolve())));
    // Our end only pumps bytes; its errors are socat going away, which unplug() already handles.
    board.on("error", () => {});
    board.on("data", (b: Buffer) => this.uno.writeSerial(b));
    this.unsubscribe = this.uno.onSerialData((b) => { if (board.isOpen) board.write(b); });
    this.board = board;
  }

  private async disconnect(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const socat = this.socat;
    this.socat = undefined;
    if (socat && socat.exitCode === null && socat.signalCode === null) {
      const gone = new Promise((r) => socat.once("exit", r));
      socat.kill("SIGTERM");
      await gone;
    }
    const board = this.board;
    this.board = undefined;
    if (board?.isOpen) await new Promise((r) => board.close(() => r(undefined)));
    // socat normally unlinks them on exit; a stale link would let the host open a dead pty.
    await rm(this.path, { force: true });
    await rm(this.boardPath, { force: true });
  }
}
