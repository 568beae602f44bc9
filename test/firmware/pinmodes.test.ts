// The pin modes the host set are the host's: host lost borrows the dead-man's pins and gives them
// back as the host had them, and a SET_PIN_MODE the firmware refuses changes nothing at all.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Bench, PATTERN, SYSEX, buildFirmware, configureBody, sysex } from "./_helpers.ts";

const INPUT = 0x00, OUTPUT = 0x01, ANALOG = 0x02, PWM = 0x03, SERVO = 0x04, PULLUP = 0x0b;
const pinMode = (pin: number, mode: number) => [0xf4, pin, mode];
const analogWrite = (pin: number, v: number) => [0xe0 | pin, v & 0x7f, v >> 7];
const reportDigital = (port: number, on: 0 | 1) => [0xd0 | port, on];

/** Firmata messages of one type (high nibble) in what the board sent. */
const messages = (bytes: number[], type: number) => bytes.flatMap((b, i) => ((b & 0xf0) === type ? [bytes.slice(i, i + 3)] : []));

async function booted(): Promise<Bench> {
  const b = await Bench.boot();
  await b.run(300); // boot self-test over
  return b;
}

describe("firmware: pin modes", () => {
  before(buildFirmware);

  it("after host lost, the dead-man's pins get back the modes the host set: analog, pull-up, input with pull-up, PWM", async () => {
    const b = await booted();
    await b.send([
      ...pinMode(14, ANALOG), // reported every 19 ms from now on
      ...pinMode(4, PULLUP),
      ...pinMode(5, INPUT), 0x90, 0x20, 0x00, // a 1 written to an INPUT pin turns its pull-up on
      ...pinMode(9, PWM), ...analogWrite(9, 30),
      ...sysex(configureBody(300, [
        { pin: 9, pattern: PATTERN.BLINK, period: 200 },
        { pin: 14, pattern: PATTERN.SOLID },
        { pin: 4, pattern: PATTERN.SOLID },
        { pin: 5, pattern: PATTERN.SOLID },
      ])),
    ]);
    assert.deepEqual([14, 4, 5].map((p) => b.uno.pin(p).mode), ["input", "input", "input"]);
    await b.run(400);
    for (const p of [14, 4, 5]) assert.deepEqual([b.uno.pin(p).mode, b.uno.pin(p).level], ["output", 1], `pin ${p} drawn in host lost`);

    await b.send(sysex([SYSEX.HEARTBEAT]));
    assert.deepEqual([b.uno.pin(14).mode, b.uno.pin(14).level], ["input", 0], "14: an analog input again, no pull-up");
    assert.deepEqual([b.uno.pin(4).mode, b.uno.pin(4).level], ["input", 1], "4: input with its pull-up");
    assert.deepEqual([b.uno.pin(5).mode, b.uno.pin(5).level], ["input", 1], "5: input, the pull-up the host turned on");
    assert.deepEqual([b.uno.pin(9).mode, b.uno.pin(9).level], ["output", 0], "9: dark");
    assert.deepEqual(await b.pinState(14), { mode: ANALOG, state: 0 });
    assert.deepEqual(await b.pinState(4), { mode: PULLUP, state: 1 });
    assert.deepEqual(await b.pinState(5), { mode: INPUT, state: 1 });
    assert.equal((await b.pinState(9)).mode, PWM);

    b.take();
    await b.run(60);
    assert.ok(messages(b.take(), 0xe0).length >= 2, "analog reports of A0 go on");
    await b.send(analogWrite(9, 128));
    assert.ok(Math.abs(b.uno.pin(9).duty - 128 / 255) < 1e-9, "9 still takes PWM writes");
  });

  it("a mode the pin cannot take is refused whole: reporting, pull-ups and the mode stay as they were", async () => {
    const b = await booted();
    // a button holds pin 2 high (avr8js shows no pull-up in PIND; reach for its port, as firmata.test.ts)
    (b.uno as unknown as { ports: Record<string, { setPin(bit: number, v: boolean): void }> }).ports.D!.setPin(2, true);
    await b.send([...pinMode(14, ANALOG), ...pinMode(2, PULLUP), ...reportDigital(0, 1), ...pinMode(13, OUTPUT), 0x91, 0x20, 0x00]);
    assert.deepEqual(messages(b.take(), 0x90).at(-1), [0x90, 0x04, 0x00], "pin 2 reads high");

    await b.send([
      ...pinMode(14, SERVO), // no servo in this firmware
      ...pinMode(2, ANALOG), // pin 2 has no ADC
      ...pinMode(13, PWM), // pin 13 has no PWM
      ...pinMode(3, 0x7f), // no such mode
      ...pinMode(20, OUTPUT), // no such pin
    ]);
    await b.run(60);
    const sent = b.take();
    assert.ok(messages(sent, 0xe0).length >= 2, "A0 still reports");
    assert.deepEqual(messages(sent, 0x90), [], "pin 2 still counts as an input: no report that it went low");
    assert.deepEqual(await b.pinState(14), { mode: ANALOG, state: 0 });
    assert.deepEqual(await b.pinState(2), { mode: PULLUP, state: 1 });
    assert.deepEqual(await b.pinState(13), { mode: OUTPUT, state: 1 });
    assert.deepEqual(await b.pinState(3), { mode: OUTPUT, state: 0 });
    assert.deepEqual([b.uno.pin(2).mode, b.uno.pin(13).level], ["input", 1]);
  });
});
