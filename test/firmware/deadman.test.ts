// The dead-man's switch: once configured, a silent host makes the firmware draw "host lost"
// by itself (and never leave a green light on); the next byte from the host hands the pins back.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Bench, PATTERN, SYSEX, buildFirmware, configureBody, sysex } from "./_helpers.ts";

const BYTE_MS = 10_000 / 57_600; // one byte on the wire at 57600 baud, 8N1
const OUTPUT = 1, PWM = 3;
const pinMode = (pin: number, mode: number) => [0xf4, pin, mode];
const setPin = (pin: number, v: 0 | 1) => [0xf5, pin, v];
const analogWrite = (pin: number, v: number) => [0xe0 | pin, v & 0x7f, v >> 7];

/** Sends bytes; returns the emulated time at which the last of them reached the chip. */
async function sendAt(b: Bench, bytes: number[]): Promise<number> {
  const t0 = b.now;
  await b.send(bytes);
  return t0 + bytes.length * BYTE_MS;
}

/** A host that has lit green (10) and pin 13, and configured red 9 blink / green off / blue 11 solid. */
async function hostWithGreenOn(timeout: number): Promise<{ b: Bench; last: number }> {
  const b = await Bench.boot();
  await b.run(300); // boot self-test (pin 13 blink) over
  const last = await sendAt(b, [
    ...pinMode(10, OUTPUT), ...setPin(10, 1), ...pinMode(13, OUTPUT), ...setPin(13, 1),
    ...pinMode(9, PWM), ...analogWrite(9, 30), ...pinMode(11, OUTPUT),
    ...sysex(configureBody(timeout, [
      { pin: 9, pattern: PATTERN.BLINK, period: 200, level: 255 },
      { pin: 10, pattern: PATTERN.OFF },
      { pin: 11, pattern: PATTERN.SOLID, level: 100 },
    ])),
  ]);
  assert.equal(b.uno.pin(10).level, 1);
  return { b, last };
}

describe("firmware: dead-man's switch", () => {
  before(buildFirmware);

  it("QUERY returns what CONFIGURE set; malformed CONFIGUREs change nothing", async () => {
    const b = await Bench.boot();
    await b.run(10);
    let q = await b.query();
    assert.equal(q.armed, false);
    assert.equal(q.timeout, 0);
    assert.deepEqual(q.entries, []);

    const entries = [
      { pin: 9, pattern: PATTERN.BLINK, period: 700, level: 255, off: 0 as const },
      { pin: 19, pattern: PATTERN.PULSE, period: 16383, level: 128, off: 1 as const },
    ];
    await b.send(sysex(configureBody(1_500_000, entries)));
    q = await b.query();
    assert.equal(q.armed, true);
    assert.equal(q.timeout, 1_500_000);
    assert.deepEqual(q.entries, entries);

    const bad = [
      configureBody(5000, [{ pin: 1, pattern: PATTERN.SOLID }]), // serial pin
      configureBody(5000, [{ pin: 20, pattern: PATTERN.SOLID }]), // no such pin
      configureBody(5000, [{ pin: 9, pattern: 4 }]), // no such pattern
      configureBody(5000, [{ pin: 9, pattern: PATTERN.SOLID }, { pin: 9, pattern: PATTERN.OFF }]), // twice
      configureBody(5000, [{ pin: 9, pattern: PATTERN.SOLID, level: 256 }]),
      configureBody(5000, [{ pin: 9, pattern: PATTERN.SOLID }]).slice(0, -1), // truncated entry
      [SYSEX.CONFIGURE, 1], // no timeout
    ];
    for (const body of bad) await b.send(sysex(body));
    q = await b.query();
    assert.equal(q.timeout, 1_500_000);
    assert.deepEqual(q.entries, entries);
  });

  it("draws host-lost exactly when the host has been silent for the timeout, with no green", async () => {
    const { b, last } = await hostWithGreenOn(400);
    await b.run(last + 395 - b.now);
    assert.equal(b.uno.pin(10).level, 1, "green still on before the timeout");
    assert.equal(b.uno.pin(13).level, 1);
    await b.run(1000);

    const [green] = b.of(10, last);
    assert.ok(green, "green changed");
    assert.equal(green.level, 0);
    const lostAt = green.millis;
    // millis() (timer0, as the Arduino core's) steps every 1.024 ms, so either end reads up to that early
    assert.ok(lostAt >= last + 399 && lostAt <= last + 403, `host-lost began ${(lostAt - last).toFixed(2)} ms after the last byte`);
    // unlisted pin the host drove: LOW
    assert.deepEqual(b.of(13, last).map((c) => [c.level, Math.abs(Math.round(c.millis - lostAt))]), [[0, 0]]);
    // solid blue at level 100, by hardware PWM
    const blue = b.uno.pin(11);
    assert.equal(blue.pwm, true);
    assert.ok(Math.abs(blue.duty - 100 / 255) < 1e-9);
    // red blinks: full on for 100 ms, off for 100 ms, from the start of host-lost
    const red = b.of(9, lostAt - 0.1); // drawn in the same pass as green, a few µs earlier
    assert.ok(red.length >= 9, `red changed ${red.length} times in 1 s`);
    red.forEach((c, i) => {
      assert.equal(c.level, i % 2 === 0 ? 1 : 0, `red edge ${i}`);
      assert.equal(c.pwm, false);
      const at = c.millis - lostAt;
      assert.ok(Math.abs(at - 100 * i) <= 2, `red edge ${i} at ${at.toFixed(2)} ms`);
    });
  });

  it("hands the pins back on the next byte, dark, and QUERY tells it happened", async () => {
    const { b } = await hostWithGreenOn(400);
    await b.run(550); // host-lost, red mid-blink, blue solid
    assert.equal(b.uno.pin(11).pwm, true);
    const t = await sendAt(b, sysex([SYSEX.HEARTBEAT]));
    const firstByte = t - 2 * BYTE_MS;
    for (const pin of [9, 10, 11]) {
      const s = b.uno.pin(pin);
      assert.deepEqual([s.level, s.pwm], [0, false], `pin ${pin} dark after the host spoke`);
    }
    const stop = b.of(11, firstByte - 0.01);
    assert.equal(stop.length, 1);
    assert.ok(stop[0]!.millis - firstByte < 0.2, "stops on the first byte, not the end of the message");
    const q = await b.query();
    assert.equal(q.lostSinceLastQuery, true);
    assert.equal(q.lostCount, 1);
    assert.equal((await b.query()).lostSinceLastQuery, false);
    // the host is in charge again: it can light green
    await b.send(setPin(10, 1));
    await b.run(100);
    assert.equal(b.uno.pin(10).level, 1);
    assert.equal(b.of(9, t).length, 0, "red stays dark");
  });

  it("any byte from the host keeps it quiet; heartbeats are not special", async () => {
    const { b, last } = await hostWithGreenOn(300);
    for (let i = 0; i < 10; i++) {
      await b.send(i % 2 ? sysex([SYSEX.HEARTBEAT]) : [0xf9]); // REPORT_VERSION counts too
      await b.run(250);
    }
    assert.deepEqual(b.of(10, last), [], "green never touched");
    assert.deepEqual(b.of(9, last), []);
    assert.equal((await b.query()).lostCount, 0);
  });

  it("survives a Firmata SYSTEM_RESET, which resets the pin modes as StandardFirmata does", async () => {
    const { b } = await hostWithGreenOn(400);
    await b.send([0xff, ...sysex([0x6d, 9]), ...sysex([0x6d, 14])], 5);
    const states = b.sysexReplies(0x6e);
    assert.deepEqual(states, [[9, OUTPUT, 0], [14, 2 /* ANALOG */, 0]]);
    const q = await b.query();
    assert.deepEqual([q.armed, q.timeout, q.entries.length], [true, 400, 3]);
  });

  it("a timeout of 0 disarms it", async () => {
    const { b, last } = await hostWithGreenOn(400);
    await b.send(sysex(configureBody(0, [{ pin: 9, pattern: PATTERN.SOLID }])));
    await b.run(2000);
    assert.deepEqual(b.of(10, last), []);
    assert.equal((await b.query()).armed, false);
  });

  it("draws common-anode wiring with inverted levels", async () => {
    const b = await Bench.boot();
    await b.run(300);
    const last = await sendAt(b, [
      ...pinMode(3, OUTPUT), ...setPin(3, 1), ...pinMode(5, OUTPUT), ...setPin(5, 0), // green lit (LOW)
      ...sysex(configureBody(200, [
        { pin: 3, pattern: PATTERN.SOLID, level: 255, off: 1 }, // red, lit = LOW
        { pin: 5, pattern: PATTERN.OFF, off: 1 }, // green, dark = HIGH
        { pin: 6, pattern: PATTERN.SOLID, level: 55, off: 1 }, // blue, dimmed: duty 200 of HIGH
      ])),
    ]);
    await b.run(last + 250 - b.now);
    assert.equal(b.uno.pin(3).level, 0);
    assert.equal(b.uno.pin(5).level, 1);
    assert.ok(b.uno.pin(6).pwm && Math.abs(b.uno.pin(6).duty - 200 / 255) < 1e-9);
    await b.send([0xf9]);
    for (const pin of [3, 5, 6]) assert.deepEqual([b.uno.pin(pin).level, b.uno.pin(pin).pwm], [1, false], `pin ${pin} dark`);
  });

  it("pulses a PWM pin as a triangle over the period", async () => {
    const b = await Bench.boot();
    await b.run(300);
    const last = await sendAt(b, sysex(configureBody(100, [{ pin: 10, pattern: PATTERN.PULSE, period: 1000, level: 200 }])));
    const duty = async (at: number) => { await b.run(last + 100 + at - b.now); return b.uno.pin(10).duty * 255; };
    assert.ok(Math.abs((await duty(250)) - 100) <= 2);
    assert.ok(Math.abs((await duty(500)) - 200) <= 2);
    assert.ok(Math.abs((await duty(750)) - 100) <= 2);
    assert.ok((await duty(995)) <= 3);
  });
});
