// Shared by the sim tests: a Firmata client over any serialport-like stream, and waits on the
// emulated chip that fail with a message instead of hanging.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import type { Duplex } from "node:stream";
import firmataIo from "firmata-io";
import type { EmulatedUno, PinState } from "../../agent/sim/uno/uno.ts";

export const STANDARD_FIRMATA = new URL("../.cache/StandardFirmata.uno.hex", import.meta.url).pathname;
if (!existsSync(STANDARD_FIRMATA)) {
  execFileSync("bash", [new URL("../../scripts/fetch-standard-firmata.sh", import.meta.url).pathname], { stdio: "inherit" });
}

// firmata-io ships no types; the few members the tests use.
export interface FirmataBoard {
  isReady: boolean;
  firmware: { name?: string; version?: { major: number; minor: number } };
  MODES: Record<string, number>;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: 0 | 1): void;
  analogWrite(pin: number, value: number): void;
  on(event: string, cb: (...args: unknown[]) => void): void;
  once(event: string, cb: (...args: unknown[]) => void): void;
}
const Firmata = (firmataIo as unknown as { Firmata: new (port: Duplex, opts: object) => FirmataBoard }).Firmata;

/** Resolves when firmata-io reports "ready" (version + firmware + capabilities answered). */
export function handshake(port: Duplex, { timeoutMs = 10_000, reportVersionTimeout = 3000 } = {}): Promise<FirmataBoard> {
  const board = new Firmata(port, { reportVersionTimeout });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no Firmata handshake within ${timeoutMs} ms`)), timeoutMs);
    board.once("ready", () => { clearTimeout(t); resolve(board); });
    board.on("error", (e) => { clearTimeout(t); reject(e as Error); });
  });
}

/** Waits (wall clock) until the pin satisfies `ok`, checking now and on every change. */
export function waitForPin(uno: EmulatedUno, pin: number, ok: (s: PinState) => boolean, timeoutMs = 3000): Promise<PinState> {
  return new Promise((resolve, reject) => {
    if (ok(uno.pin(pin))) return resolve(uno.pin(pin));
    const t = setTimeout(() => { off(); reject(new Error(`pin ${pin} still ${JSON.stringify(uno.pin(pin))}`)); }, timeoutMs);
    const off = uno.onPinChange((c) => {
      if (c.pin === pin && ok(c)) { clearTimeout(t); off(); resolve(c); }
    });
  });
}

/** Collects what a stream receives, to look for a byte sequence in it. */
export function collect(port: Duplex): { bytes: () => Buffer; waitFor: (seq: number[], timeoutMs?: number) => Promise<void> } {
  const chunks: Buffer[] = [];
  port.on("data", (b: Buffer) => chunks.push(b));
  const bytes = () => Buffer.concat(chunks);
  return {
    bytes,
    waitFor: (seq, timeoutMs = 3000) => new Promise((resolve, reject) => {
      const start = Date.now();
      const poll = () => {
        if (bytes().includes(Buffer.from(seq))) return resolve();
        if (Date.now() - start > timeoutMs) return reject(new Error(`never saw ${Buffer.from(seq).toString("hex")} in ${bytes().toString("hex")}`));
        setTimeout(poll, 5);
      };
      poll();
    }),
  };
}

export const VERSION_REPORT = [0xf9, 0x02, 0x04]; // REPORT_VERSION, protocol 2.4: sent at boot

/**
 * Every error a port reports until it is closed. Linux tells of a hangup either through a failing
 * read (one "close" with a DisconnectedError) or, after EOF reads, only through a failing write
 * ("error" EIO, a bare "close", then "close" with a DisconnectedError).
 */
export function whenClosed(port: Duplex & { isOpen: boolean }, timeoutMs = 3000): Promise<(Error & { disconnected?: boolean })[]> {
  const errors: Error[] = [];
  port.on("error", (e: Error) => errors.push(e));
  port.on("close", (e?: Error | null) => { if (e) errors.push(e); });
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const poll = () => {
      if (!port.isOpen && errors.some((e) => (e as { disconnected?: boolean }).disconnected)) return resolve(errors);
      if (Date.now() - start > timeoutMs) return reject(new Error(`port not closed by a disconnect; errors: ${errors.map((e) => e.message).join(", ")}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}
