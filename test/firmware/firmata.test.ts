// fluxlight's firmware speaks Firmata well enough for firmata-io (and so johnny-five) unchanged.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import firmataIo from "firmata-io";
import { Bench, UnoTransport, buildFirmware, sysex } from "./_helpers.ts";

interface Board {
  isReady: boolean;
  firmware: { name: string; version: { major: number; minor: number } };
  version: { major: number; minor: number };
  pins: { supportedModes: number[]; analogChannel?: number }[];
  analogPins: number[];
  MODES: Record<string, number>;
  RESOLUTION: { ADC: number | null; PWM: number | null };
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: 0 | 1): void;
  analogWrite(pin: number, value: number): void;
  queryPinState(pin: number, cb: () => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
  analogRead(pin: number, cb: (v: number) => void): void;
  once(event: string, cb: (...a: unknown[]) => void): void;
}
const Firmata = firmataIo.Firmata as unknown as new (transport: unknown, opts?: object) => Board;

describe("firmware: Firmata with firmata-io", () => {
  let bench: Bench;
  let board: Board;
  let readyAt = 0;

  before(async () => {
    buildFirmware();
    bench = await Bench.boot();
    // reportVersionTimeout is left at firmata-io's default (5 s): the firmware announces itself
    // on boot, so the handshake never needs it.
    board = new Firmata(new UnoTransport(bench.uno));
    const ready = new Promise<void>((resolve) => board.once("ready", () => resolve()));
    bench.uno.start(false);
    await ready;
    readyAt = bench.now;
  });
  after(() => bench.uno.stop());

  it("reaches ready quickly in emulated time and reports fluxlight 0.2 over Firmata 2.5", () => {
    assert.ok(board.isReady);
    assert.equal(board.firmware.name, "fluxlight");
    assert.deepEqual(board.firmware.version, { major: 0, minor: 2 });
    assert.deepEqual(board.version, { major: 2, minor: 5 });
    assert.ok(readyAt < 200, `ready after ${readyAt.toFixed(1)} emulated ms`);
  });

  it("reports the Uno's capabilities as StandardFirmata does (minus servo/I2C)", () => {
    const { INPUT, OUTPUT, ANALOG, PWM, PULLUP } = board.MODES as Record<string, number>;
    assert.equal(board.pins.length, 20);
    assert.deepEqual(board.pins[0]!.supportedModes, []);
    assert.deepEqual(board.pins[1]!.supportedModes, []);
    assert.deepEqual(board.pins[2]!.supportedModes.sort(), [INPUT!, OUTPUT!, PULLUP!].sort());
    for (const p of [3, 5, 6, 9, 10, 11]) assert.ok(board.pins[p]!.supportedModes.includes(PWM!), `pin ${p} PWM`);
    for (const p of [2, 4, 7, 8, 12, 13, 14]) assert.ok(!board.pins[p]!.supportedModes.includes(PWM!), `pin ${p} no PWM`);
    for (const p of [14, 15, 16, 17, 18, 19]) assert.ok(board.pins[p]!.supportedModes.includes(ANALOG!), `pin ${p} analog`);
    assert.deepEqual(board.analogPins, [14, 15, 16, 17, 18, 19]);
    assert.equal(board.RESOLUTION.PWM, 255);
    assert.equal(board.RESOLUTION.ADC, 1023);
  });

  it("lights pin 13 on a digital write and darkens it again", async () => {
    board.pinMode(13, board.MODES.OUTPUT!);
    board.digitalWrite(13, 1);
    await bench.run(5);
    assert.deepEqual(bench.uno.pin(13), { mode: "output", level: 1, duty: 1, pwm: false });
    board.digitalWrite(13, 0);
    await bench.run(5);
    assert.equal(bench.uno.pin(13).level, 0);
  });

  it("drives hardware PWM on pins 9 (timer1), 11 (timer2) and 5 (timer0)", async () => {
    const duties: Record<number, number> = { 9: 100, 11: 200, 5: 37 };
    for (const [pin, v] of Object.entries(duties)) {
      board.pinMode(Number(pin), board.MODES.PWM!);
      board.analogWrite(Number(pin), v);
    }
    await bench.run(5);
    for (const [pin, v] of Object.entries(duties)) {
      const s = bench.uno.pin(Number(pin));
      assert.equal(s.pwm, true, `pin ${pin} driven by its timer`);
      assert.ok(Math.abs(s.duty - v / 255) < 1e-9, `pin ${pin} duty ${s.duty} ≠ ${v}/255`);
    }
    // analogWrite semantics: the ends are plain levels, the timer let go of the pin
    board.analogWrite(9, 255);
    board.analogWrite(11, 0);
    await bench.run(5);
    assert.deepEqual(bench.uno.pin(9), { mode: "output", level: 1, duty: 1, pwm: false });
    assert.deepEqual(bench.uno.pin(11), { mode: "output", level: 0, duty: 0, pwm: false });
    // and back to PWM
    board.analogWrite(9, 1);
    await bench.run(5);
    assert.ok(bench.uno.pin(9).pwm && Math.abs(bench.uno.pin(9).duty - 1 / 255) < 1e-9);
  });

  it("takes EXTENDED_ANALOG as a PWM write", async () => {
    board.pinMode(10, board.MODES.PWM!);
    bench.uno.writeSerial(sysex([0x6f, 10, 64, 0]));
    await bench.run(5);
    assert.ok(Math.abs(bench.uno.pin(10).duty - 64 / 255) < 1e-9);
  });

  it("reports digital inputs when they change, and analog inputs", async () => {
    // EmulatedUno has no API to drive an input from outside, and avr8js does not show pull-ups
    // in PINx; reach for its port object (private) to act as the button.
    const portD = (bench.uno as unknown as { ports: Record<string, { setPin(bit: number, v: boolean): void }> }).ports.D!;
    board.pinMode(2, board.MODES.INPUT!);
    const reads: number[] = [];
    const first = new Promise<void>((resolve) => board.digitalRead(2, (v) => { reads.push(v); resolve(); }));
    await first; // REPORT_DIGITAL answers with the port's current value at once
    portD.setPin(2, true);
    await bench.run(5);
    portD.setPin(2, false);
    await bench.run(5);
    assert.deepEqual(reads, [0, 1, 0]);
    const analog = new Promise<number>((resolve) => board.analogRead(0, resolve));
    assert.equal(await analog, 0); // the emulator's ADC inputs read 0
  });

  it("ignores unknown sysex (also long ones) and stays in sync", async () => {
    board.pinMode(12, board.MODES.OUTPUT!);
    const junk = Array.from({ length: 100 }, (_, i) => i & 0x7f);
    bench.uno.writeSerial([...sysex([0x42, ...junk]), ...sysex([0x0e, 1, 2, 3]), ...sysex([])]);
    board.digitalWrite(12, 1);
    await bench.run(40); // ~120 bytes at 57600 baud
    assert.equal(bench.uno.pin(12).level, 1);
  });
});
