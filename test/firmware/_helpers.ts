// Shared by the firmware tests: builds the image, boots it on the emulated Uno, and speaks
// raw Firmata bytes to it. Timing is always emulated time (uno.millis), never the wall clock.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { EmulatedUno, type PinChange } from "../../agent/sim/uno/uno.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const HEX = `${root}firmware/build/fluxlight.hex`;

/** Builds firmware/build/fluxlight.hex (incremental, quiet). */
export function buildFirmware(): void {
  execFileSync("make", ["-s", "-C", `${root}firmware`], { stdio: "inherit" });
}

export const SYSEX = { CONFIGURE: 0x01, HEARTBEAT: 0x02, QUERY: 0x03 } as const;
export const PATTERN = { OFF: 0, SOLID: 1, BLINK: 2, PULSE: 3 } as const;

export interface Entry { pin: number; pattern: number; period?: number; level?: number; off?: 0 | 1 }

/** CONFIGURE sysex body (without F0/F7). */
export function configureBody(timeoutMs: number, entries: Entry[]): number[] {
  const body = [SYSEX.CONFIGURE, timeoutMs & 0x7f, (timeoutMs >> 7) & 0x7f, (timeoutMs >> 14) & 0x7f];
  for (const e of entries) {
    const period = e.period ?? 0;
    const level = e.level ?? 255;
    body.push(e.pin, e.pattern, period & 0x7f, (period >> 7) & 0x7f, level & 0x7f, level >> 7, e.off ?? 0);
  }
  return body;
}
export const sysex = (body: number[]): number[] => [0xf0, ...body, 0xf7];

/** What the firmware sends at every boot, before anything else: REPORT_VERSION 2.5, then the firmware report 0.2. */
export const ANNOUNCE = [0xf9, 2, 5, 0xf0, 0x79, 0, 2];

export interface QueryReply {
  armed: boolean; lostSinceLastQuery: boolean; persisted: boolean;
  /** this run of the firmware began with a watchdog reset */
  watchdogReset: boolean;
  timeout: number; lostCount: number; entries: Required<Entry>[];
}
export function parseQuery(body: number[]): QueryReply {
  // body = data bytes after the 0x03 id
  const [flags, t0, t1, t2, c0, c1] = body as [number, number, number, number, number, number];
  const entries: Required<Entry>[] = [];
  for (let i = 6; i + 7 <= body.length; i += 7) {
    const [pin, pattern, p0, p1, l0, l1, off] = body.slice(i, i + 7) as number[];
    entries.push({ pin: pin!, pattern: pattern!, period: p0! | (p1! << 7), level: l0! | (l1! << 7), off: off as 0 | 1 });
  }
  return {
    armed: !!(flags & 1), lostSinceLastQuery: !!(flags & 2), persisted: !!(flags & 4), watchdogReset: !!(flags & 8),
    timeout: t0 | (t1 << 7) | (t2 << 14), lostCount: c0 | (c1 << 7), entries,
  };
}

/** An emulated Uno running fluxlight, with every byte and pin change it produced recorded. */
export class Bench {
  readonly rx: number[] = [];
  readonly changes: PinChange[] = [];
  constructor(readonly uno: EmulatedUno) {
    uno.onSerialData((b) => this.rx.push(...b));
    uno.onPinChange((c) => this.changes.push(c));
  }
  static async boot(eeprom?: Uint8Array): Promise<Bench> {
    return new Bench(await EmulatedUno.load(HEX, { paced: false, eeprom }));
  }
  get now(): number { return this.uno.millis; }
  /** Writes bytes and runs until they have all reached the chip (10 bits each at 57600 baud). */
  async send(bytes: number[], settleMs = 2): Promise<void> {
    this.uno.writeSerial(bytes);
    await this.uno.runFor((bytes.length * 10 * 1000) / 57600 + settleMs);
  }
  run(ms: number): Promise<void> { return this.uno.runFor(ms); }
  take(): number[] { return this.rx.splice(0); }
  /** The data of every sysex with this id received so far (consumed from rx). */
  sysexReplies(id: number): number[][] {
    const out: number[][] = [];
    const bytes = this.take();
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0xf0) continue;
      const end = bytes.indexOf(0xf7, i);
      if (end < 0) break;
      if (bytes[i + 1] === id) out.push(bytes.slice(i + 2, end));
      i = end;
    }
    return out;
  }
  async query(): Promise<QueryReply> {
    this.take();
    await this.send(sysex([SYSEX.QUERY]), 15); // a reply with 8 entries takes ~11 ms on the wire
    const r = this.sysexReplies(SYSEX.QUERY);
    if (r.length !== 1) throw new Error(`expected one QUERY reply, got ${r.length}`);
    return parseQuery(r[0]!);
  }
  /** PIN_STATE_QUERY: the pin's Firmata mode and state as the board tells them. */
  async pinState(pin: number): Promise<{ mode: number; state: number }> {
    this.take();
    await this.send(sysex([0x6d, pin]), 3);
    const r = this.sysexReplies(0x6e).find((d) => d[0] === pin);
    if (!r) throw new Error(`no PIN_STATE_RESPONSE for pin ${pin}`);
    return { mode: r[1]!, state: r.slice(2).reduce((v, b, i) => v | (b << (7 * i)), 0) };
  }
  /** Pin changes of one pin at or after a time. */
  of(pin: number, since = 0): PinChange[] { return this.changes.filter((c) => c.pin === pin && c.millis >= since); }
}

/**
 * A board that has booted and stored a CONFIGURE (the dead-man's switch: `timeoutMs`, the host-lost
 * look `entries`) in its EEPROM, as the agent leaves it after a connect: what survives a reset.
 */
export async function bootConfigured(timeoutMs: number, entries: Entry[]): Promise<Bench> {
  const b = await Bench.boot();
  await b.run(200);
  await b.send(sysex(configureBody(timeoutMs, entries)));
  for (let i = 0; i < 50 && !(await b.query()).persisted; i++) await b.run(10);
  assert.ok((await b.query()).persisted, "EEPROM write finished");
  return b;
}

/** When each pin was lit and for how long, from `since` on (level 1 = lit unless inverted). */
export function litSpans(b: Bench, pin: number, since: number, litLevel = 1): [number, number][] {
  const spans: [number, number][] = [];
  let on: number | undefined;
  for (const c of b.of(pin, since)) {
    if (c.mode === "input") continue; // out of reset, before the firmware runs: nothing drives it
    if (c.level === litLevel && on === undefined) on = c.millis;
    else if (c.level !== litLevel && on !== undefined) { spans.push([on - since, c.millis - on]); on = undefined; }
  }
  if (on !== undefined) spans.push([on - since, Infinity]);
  return spans;
}

/**
 * A firmata-io transport over the emulated board: firmata-io needs only on("data"), write(buf, cb)
 * and the open/close/error events.
 */
export class UnoTransport extends EventEmitter {
  constructor(readonly uno: EmulatedUno) {
    super();
    uno.onSerialData((b) => this.emit("data", b));
  }
  write(buf: Buffer, cb?: () => void): boolean {
    this.uno.writeSerial(buf);
    cb?.();
    return true;
  }
}
