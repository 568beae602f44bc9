// Boot self-test and the EEPROM-stored configuration: after a reset the firmware knows the LED's
// pins, lights each once, then stays dark until the host speaks — without delaying the handshake.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ANNOUNCE, Bench, PATTERN, bootConfigured, buildFirmware, litSpans } from "./_helpers.ts";

const RGB = [
  { pin: 9, pattern: PATTERN.BLINK, period: 500, level: 255 }, // red
  { pin: 10, pattern: PATTERN.OFF }, // green
  { pin: 11, pattern: PATTERN.SOLID, level: 80 }, // blue
];

describe("firmware: boot self-test and stored configuration", () => {
  before(buildFirmware);

  it("with nothing stored: announces itself at once and blinks pin 13 once", async () => {
    const b = await Bench.boot();
    await b.run(5);
    assert.deepEqual(b.rx.slice(0, ANNOUNCE.length), ANNOUNCE, "announced within 5 ms of power-on");
    await b.run(600);
    const spans = litSpans(b, 13, 0);
    assert.equal(spans.length, 1, JSON.stringify(spans));
    assert.ok(spans[0]![0] < 2 && Math.abs(spans[0]![1] - 150) <= 2, JSON.stringify(spans));
    assert.equal((await b.query()).persisted, false);
  });

  it("persists CONFIGURE in EEPROM with a magic, a layout version and a checksum", async () => {
    const b = await bootConfigured(1000, RGB);
    const ee = b.uno.eeprom;
    assert.deepEqual([...ee.subarray(0, 4)], [0x46, 0x4c, 1, 3]); // 'F' 'L' v1, 3 entries
    assert.equal(ee[4]! | (ee[5]! << 8), 1000);
    assert.deepEqual([...ee.subarray(8, 14)], [9, PATTERN.BLINK, 500 & 0xff, 500 >> 8, 255, 0]);
  });

  it("after a reset, lights each stored pin once for ~150 ms in order, then stays dark", async () => {
    const b = await bootConfigured(5000, RGB);
    const t = b.now;
    b.uno.reset();
    b.take();
    await b.run(5);
    assert.deepEqual(b.rx.slice(0, ANNOUNCE.length), ANNOUNCE, "the self-test does not hold up the handshake");
    await b.run(1500);
    const [red, green, blue, led] = [litSpans(b, 9, t), litSpans(b, 10, t), litSpans(b, 11, t), litSpans(b, 13, t)];
    const near = (got: [number, number][], start: number) =>
      got.length === 1 && Math.abs(got[0]![0] - start) <= 2 && Math.abs(got[0]![1] - 150) <= 2;
    assert.ok(near(red, 0), `red ${JSON.stringify(red)}`);
    assert.ok(near(green, 150), `green ${JSON.stringify(green)}`);
    assert.ok(near(blue, 300), `blue ${JSON.stringify(blue)}`);
    assert.deepEqual(led, [], "pin 13 is not part of this light");
    const q = await b.query();
    assert.deepEqual([q.armed, q.persisted, q.timeout, q.entries.length], [true, true, 5000, 3]);
  });

  it("is armed from boot: a host that never comes back gets host-lost after the timeout", async () => {
    const b = await bootConfigured(1000, RGB);
    const t = b.now;
    b.uno.reset();
    await b.run(1600);
    const red = litSpans(b, 9, t);
    // self-test flash at 0, then the blink from 1000 ms (250 ms on, 250 ms off)
    assert.equal(red.length, 3, JSON.stringify(red));
    assert.ok(Math.abs(red[1]![0] - 1000) <= 3 && Math.abs(red[1]![1] - 250) <= 2, JSON.stringify(red));
    assert.ok(b.uno.pin(11).pwm && Math.abs(b.uno.pin(11).duty - 80 / 255) < 1e-9);
  });

  it("ends at once when the host speaks", async () => {
    const b = await bootConfigured(1000, RGB);
    const t = b.now;
    b.uno.reset();
    await b.run(60);
    await b.send([0xf9]);
    await b.run(500);
    const red = litSpans(b, 9, t);
    assert.equal(red.length, 1);
    assert.ok(red[0]![1] > 58 && red[0]![1] < 63, `red lit ${red[0]![1]} ms`);
    assert.deepEqual(litSpans(b, 10, t), []);
    assert.deepEqual(litSpans(b, 11, t), []);
  });

  it("keeps common-anode pins at their off level (HIGH) except while lit", async () => {
    const inverted = RGB.map((e) => ({ ...e, off: 1 as const }));
    const b = await bootConfigured(1000, inverted);
    const t = b.now;
    b.uno.reset();
    await b.run(600);
    for (const [i, pin] of [9, 10, 11].entries()) {
      const lit = litSpans(b, pin, t, 0);
      assert.equal(lit.length, 1, `pin ${pin}: ${JSON.stringify(lit)}`);
      assert.ok(Math.abs(lit[0]![0] - 150 * i) <= 2 && Math.abs(lit[0]![1] - 150) <= 2, `pin ${pin}: ${JSON.stringify(lit)}`);
      assert.equal(b.uno.pin(pin).level, 1, `pin ${pin} dark = HIGH`);
    }
  });

  it("ignores a stored configuration with a bad checksum (blinks pin 13 instead)", async () => {
    const b = await bootConfigured(1000, RGB);
    b.uno.eeprom[12] = b.uno.eeprom[12]! ^ 0x01; // red's level... the CRC no longer matches
    const t = b.now;
    b.uno.reset();
    await b.run(500);
    assert.deepEqual(litSpans(b, 9, t), []);
    assert.equal(litSpans(b, 13, t).length, 1);
    const q = await b.query();
    assert.deepEqual([q.armed, q.persisted, q.entries.length], [false, false, 0]);
  });
});
